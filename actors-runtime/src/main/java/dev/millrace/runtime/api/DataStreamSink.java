package dev.millrace.runtime.api;

import dev.millrace.runtime.graph.Transformation;

/** The end of a stream: a sink operator, to name and configure. */
public final class DataStreamSink
{
    private final Transformation transformation;

    DataStreamSink(final Transformation transformation)
    {
        this.transformation = transformation;
    }

    /** @param name display name @return this */
    public DataStreamSink name(final String name)
    {
        transformation.setName(name);
        return this;
    }

    /** @param uid stable id for state @return this */
    public DataStreamSink uid(final String uid)
    {
        transformation.setUid(uid);
        return this;
    }

    /** @param parallelism number of instances @return this */
    public DataStreamSink setParallelism(final int parallelism)
    {
        if (parallelism < 1)
        {
            throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
        }
        transformation.setParallelism(parallelism);
        return this;
    }
}
