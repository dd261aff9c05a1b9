package dev.millrace.broker.kafka;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * The settings of the Kafka listener, from {@value #PREFIX} (documented in {@code reference.conf}), checked when read:
 * a bad value fails with a {@link ConfigException} that names its key.
 *
 * @param enabled              whether the node starts the listener
 * @param host                 interface to bind, advertised to clients
 * @param port                 TCP port, 0 for a free one
 * @param requestMaxBytes      largest request frame, size prefix excluded
 * @param maxInFlightRequests  requests of one connection handled at once
 * @param io                   which network layer serves the connections
 */
public record KafkaListenerSettings(
    boolean enabled, String host, int port, int requestMaxBytes, int maxInFlightRequests, Io io)
{
    /** The listener's network layer ({@value #IO}). */
    public enum Io
    {
        /** {@code nio}: one selector thread; fetched records go from the segment file to the socket with sendfile. */
        NIO("nio"),
        /** {@code pekko-streams}: a Pekko Streams TCP server; fetched records are read into memory first. */
        PEKKO_STREAMS("pekko-streams");

        private final String configValue;

        Io(final String configValue)
        {
            this.configValue = configValue;
        }

        /** The value in configuration. */
        public String configValue()
        {
            return configValue;
        }

        static Io fromConfig(final String value)
        {
            for (final Io io : values())
            {
                if (io.configValue.equals(value))
                {
                    return io;
                }
            }
            throw new ConfigException.BadValue(PREFIX + "." + IO, "must be nio or pekko-streams, was " + value);
        }
    }

    public static final String PREFIX = "millrace.broker.kafka";
    public static final String ENABLED = "enabled";
    public static final String HOST = "host";
    public static final String PORT = "port";
    public static final String REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String MAX_IN_FLIGHT = "max-in-flight-requests-per-connection";
    public static final String IO = "io";

    public static KafkaListenerSettings fromConfig(final Config config)
    {
        final Config kafka = config.getConfig(PREFIX);
        final int port = kafka.getInt(PORT);
        if (port < 0 || port > 65535)
        {
            throw new ConfigException.BadValue(PREFIX + "." + PORT, "must be in [0, 65535], was " + port);
        }
        final int requestMaxBytes = kafka.getInt(REQUEST_MAX_BYTES);
        if (requestMaxBytes < 64)
        {
            throw new ConfigException.BadValue(PREFIX + "." + REQUEST_MAX_BYTES, "must be >= 64, was " + requestMaxBytes);
        }
        final int maxInFlight = kafka.getInt(MAX_IN_FLIGHT);
        if (maxInFlight < 1)
        {
            throw new ConfigException.BadValue(PREFIX + "." + MAX_IN_FLIGHT, "must be >= 1, was " + maxInFlight);
        }
        return new KafkaListenerSettings(kafka.getBoolean(ENABLED), kafka.getString(HOST), port, requestMaxBytes, maxInFlight,
            Io.fromConfig(kafka.getString(IO)));
    }
}
