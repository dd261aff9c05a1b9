package dev.millrace.runtime.graph;

import dev.millrace.runtime.api.Source;
import java.util.List;

/** A source: the head of a chain, driven by its instance. */
public final class SourceTransformation extends Transformation
{
    private final Source<?> source;

    /**
     * @param id     the id
     * @param name   the display name
     * @param source the source
     */
    public SourceTransformation(final int id, final String name, final Source<?> source)
    {
        super(id, name);
        this.source = source;
    }

    /** @return the source */
    public Source<?> source()
    {
        return source;
    }

    @Override
    public List<Transformation> inputs()
    {
        return List.of();
    }

    @Override
    public boolean isPhysical()
    {
        return true;
    }
}
