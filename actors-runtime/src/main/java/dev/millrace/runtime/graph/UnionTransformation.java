package dev.millrace.runtime.graph;

import java.util.List;

/** Several streams of one type read as one. */
public final class UnionTransformation extends Transformation
{
    private final List<Transformation> inputs;

    /**
     * @param id     the id
     * @param inputs the streams
     */
    public UnionTransformation(final int id, final List<Transformation> inputs)
    {
        super(id, "union");
        this.inputs = List.copyOf(inputs);
    }

    @Override
    public List<Transformation> inputs()
    {
        return inputs;
    }

    @Override
    public boolean isPhysical()
    {
        return false;
    }
}
