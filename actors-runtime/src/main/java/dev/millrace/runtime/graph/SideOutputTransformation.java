package dev.millrace.runtime.graph;

import dev.millrace.runtime.api.OutputTag;
import java.util.List;

/** The records an operator emits to one of its side outputs. */
public final class SideOutputTransformation extends Transformation
{
    private final Transformation input;
    private final OutputTag<?> tag;

    /**
     * @param id    the id
     * @param input the operator
     * @param tag   the side output
     */
    public SideOutputTransformation(final int id, final Transformation input, final OutputTag<?> tag)
    {
        super(id, "side-output:" + tag.id());
        this.input = input;
        this.tag = tag;
    }

    /** @return the operator */
    public Transformation input()
    {
        return input;
    }

    /** @return the side output */
    public OutputTag<?> tag()
    {
        return tag;
    }

    @Override
    public List<Transformation> inputs()
    {
        return List.of(input);
    }

    @Override
    public boolean isPhysical()
    {
        return false;
    }
}
