package dev.millrace.runtime.api;

import java.util.Objects;

/**
 * Names a side output of an operator: records emitted with {@code ctx.output(tag, value)} go to the stream
 * that {@link DataStream#getSideOutput(OutputTag)} returns, not to the main output. Tags are equal by id.
 *
 * @param <T> the side output's record type
 */
public final class OutputTag<T>
{
    private final String id;

    /**
     * @param id the side output's name, unique within a job
     */
    public OutputTag(final String id)
    {
        if (id == null || id.isEmpty())
        {
            throw new IllegalArgumentException("an OutputTag needs a non-empty id");
        }
        this.id = id;
    }

    /**
     * @return the side output's name
     */
    public String id()
    {
        return id;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof OutputTag<?> tag && tag.id.equals(id);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(id);
    }

    @Override
    public String toString()
    {
        return "OutputTag(" + id + ")";
    }
}
