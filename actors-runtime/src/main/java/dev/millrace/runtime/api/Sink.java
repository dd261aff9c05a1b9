package dev.millrace.runtime.api;

import dev.millrace.runtime.operators.StreamOperator;

/**
 * A sink that needs an operator per instance rather than one shared {@link SinkFunction}: one that keeps
 * per-instance state or works asynchronously (the log sink, {@code dev.millrace.runtime.connectors.log.LogSink}).
 * Added with {@link DataStream#sinkTo(Sink)}.
 *
 * @param <T> record type
 */
public interface Sink<T>
{
    /** @return a new writer for one instance (a writer may implement {@code AsyncOperator}) */
    StreamOperator<T, Object> createWriter();

    /** @return the sink's display name */
    default String name()
    {
        return "Sink";
    }
}
