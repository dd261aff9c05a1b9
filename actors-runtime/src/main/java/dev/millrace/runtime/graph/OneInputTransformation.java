package dev.millrace.runtime.graph;

import dev.millrace.runtime.operators.StreamOperator;
import java.util.List;
import java.util.function.Supplier;

/** An operator with one logical input (which may be a union of several streams). */
public final class OneInputTransformation extends Transformation
{
    private final Transformation input;
    private final Supplier<? extends StreamOperator<?, ?>> operatorFactory;
    private final boolean keyed;
    private final boolean sink;

    /**
     * @param id              the id
     * @param name            the display name
     * @param input           what it reads
     * @param operatorFactory makes one operator per instance
     * @param keyed           whether it needs a key-partitioned input (keyed state, timers, windows)
     * @param sink            whether it is a sink (emits nothing)
     */
    public OneInputTransformation(final int id, final String name, final Transformation input,
        final Supplier<? extends StreamOperator<?, ?>> operatorFactory, final boolean keyed, final boolean sink)
    {
        super(id, name);
        this.input = input;
        this.operatorFactory = operatorFactory;
        this.keyed = keyed;
        this.sink = sink;
    }

    /** @return what it reads */
    public Transformation input()
    {
        return input;
    }

    /** @return makes one operator per instance */
    public Supplier<? extends StreamOperator<?, ?>> operatorFactory()
    {
        return operatorFactory;
    }

    /** @return whether it needs a key-partitioned input */
    public boolean keyed()
    {
        return keyed;
    }

    /** @return whether it is a sink */
    public boolean sink()
    {
        return sink;
    }

    @Override
    public List<Transformation> inputs()
    {
        return List.of(input);
    }

    @Override
    public boolean isPhysical()
    {
        return true;
    }
}
