package dev.millrace.runtime.api;

import java.io.PrintStream;

/**
 * Prints each record on a line, as {@code prefix> record}.
 *
 * <p>Threading: {@link PrintStream} is synchronized; lines of different instances interleave but do not mix.
 *
 * @param <T> record type
 */
public final class PrintSink<T> implements SinkFunction<T>
{
    private final PrintStream out;
    private final String prefix;

    /** Prints to standard output without prefix. */
    public PrintSink()
    {
        this(System.out, "");
    }

    /**
     * @param out    where to print
     * @param prefix written before each record, followed by {@code "> "} when not empty
     */
    public PrintSink(final PrintStream out, final String prefix)
    {
        this.out = out;
        this.prefix = prefix.isEmpty() ? "" : prefix + "> ";
    }

    @Override
    public void invoke(final T value, final long timestampMs)
    {
        out.println(prefix + value);
    }
}
