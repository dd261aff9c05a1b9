package dev.millrace.runtime.execution;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * The processor's settings from {@code millrace.runtime}, validated at start; a bad value fails with a
 * message naming its key.
 *
 * @param bufferRecords     elements per exchange buffer ({@code exchange.buffer-records})
 * @param creditsPerChannel buffers a receiver grants each input channel ({@code exchange.credits-per-channel})
 * @param buffersPerTurn    input buffers (or source batches) an instance handles before it yields to its
 *                          mailbox ({@code instance.buffers-per-turn})
 */
public record RuntimeSettings(int bufferRecords, int creditsPerChannel, int buffersPerTurn)
{
    /** Configuration path of the settings. */
    public static final String PATH = "millrace.runtime";

    /**
     * @param config the actor system's configuration
     * @return the validated settings
     * @throws ConfigException.BadValue naming the key of a bad value
     */
    public static RuntimeSettings fromConfig(final Config config)
    {
        final Config runtime = config.getConfig(PATH);
        return new RuntimeSettings(
            positive(runtime, "exchange.buffer-records", 1_000_000),
            positive(runtime, "exchange.credits-per-channel", 1_000),
            positive(runtime, "instance.buffers-per-turn", 1_000));
    }

    private static int positive(final Config config, final String key, final int max)
    {
        final int value = config.getInt(key);
        if (value < 1 || value > max)
        {
            throw new ConfigException.BadValue(PATH + "." + key, "must be in [1, " + max + "] but is " + value);
        }
        return value;
    }
}
