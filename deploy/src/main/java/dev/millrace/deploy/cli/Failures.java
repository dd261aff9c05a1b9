package dev.millrace.deploy.cli;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.millrace.deploy.MillraceMain;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Turns what kafka-clients throws into a {@link CommandFailedException} whose message says, in one line, what went
 * wrong and about what: "topic 'x' does not exist", "no answer from 127.0.0.1:9092 within 30s".
 */
final class Failures
{
    private Failures()
    {
    }

    /**
     * Waits for an admin call (bounded: the admin client's own timeouts are the same, this is a backstop).
     *
     * @param subject what the call is about, as it should read in a message: {@code topic 'x'}, {@code group 'g'}
     */
    static <T> T await(final KafkaFuture<T> future, final ClientOptions client, final String subject)
    {
        try
        {
            return future.get(client.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw of(ex.getCause(), client, subject);
        }
        catch (final java.util.concurrent.TimeoutException | CancellationException ex)
        {
            throw of(new TimeoutException(ex.getMessage()), client, subject);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new CommandFailedException("interrupted", ex);
        }
    }

    static CommandFailedException of(final Throwable cause, final ClientOptions client, final String subject)
    {
        if (cause instanceof CommandFailedException failed)
        {
            return failed;
        }
        final String message;
        if (cause instanceof TimeoutException)
        {
            message = "no answer from " + client.bootstrapServer() + " within " +
                DurationConverter.format(client.timeout()) + " (is a node running there?)";
        }
        else if (cause instanceof UnsupportedVersionException ||
            (cause.getMessage() != null && cause.getMessage().contains("does not support")))
        {
            message = subject + ": the node does not support this operation: " + cause.getMessage();
        }
        else if (cause instanceof UnknownTopicOrPartitionException)
        {
            message = subject.startsWith("topic") ? subject + " does not exist" : "unknown topic or partition: " +
                cause.getMessage();
        }
        else if (cause instanceof TopicExistsException)
        {
            message = subject + " already exists";
        }
        else if (cause instanceof GroupIdNotFoundException)
        {
            message = subject + " does not exist";
        }
        else if (cause instanceof GroupNotEmptyException || cause instanceof UnknownMemberIdException)
        {
            message = subject + " has active members; stop its consumers first";
        }
        else if (cause instanceof InvalidConfigurationException || cause instanceof InvalidRequestException ||
            cause instanceof InvalidPartitionsException || cause instanceof InvalidReplicationFactorException ||
            cause instanceof InvalidTopicException)
        {
            message = subject + ": refused by the node: " + cause.getMessage();
        }
        else
        {
            message = subject + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        return new CommandFailedException(message, cause);
    }

    /** A client that could not even be created: a bad bootstrap address or client property is a usage error. */
    static CommandFailedException ofClientCreation(final KafkaException ex)
    {
        Throwable cause = ex;
        while (cause.getCause() != null && !(cause instanceof ConfigException))
        {
            cause = cause.getCause();
        }
        if (cause instanceof ConfigException)
        {
            return new CommandFailedException("invalid --bootstrap-server or --client-property: " + cause.getMessage(),
                MillraceMain.USAGE, ex);
        }
        return new CommandFailedException("cannot create the client: " + ex.getMessage(), ex);
    }
}
