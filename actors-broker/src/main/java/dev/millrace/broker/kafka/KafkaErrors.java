package dev.millrace.broker.kafka;

import dev.millrace.broker.controller.ControllerErrorCode;
import org.apache.kafka.common.protocol.Errors;

/** Millrace's error codes as Kafka's: they are named alike, so the mapping is by name. */
final class KafkaErrors
{
    private KafkaErrors()
    {
    }

    static Errors of(final ControllerErrorCode error)
    {
        try
        {
            return Errors.valueOf(error.name());
        }
        catch (final IllegalArgumentException ex)
        {
            return Errors.UNKNOWN_SERVER_ERROR;
        }
    }
}
