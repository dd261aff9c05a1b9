package dev.millrace.runtime.graph;

import java.util.List;

/** Sets the partitioning of the edges out of its input (keyBy, rebalance, broadcast, forward). */
public final class PartitionTransformation extends Transformation
{
    private final Transformation input;
    private final Partitioning partitioning;

    /**
     * @param id           the id
     * @param input        the stream to partition
     * @param partitioning how
     */
    public PartitionTransformation(final int id, final Transformation input, final Partitioning partitioning)
    {
        super(id, partitioning.kind().name().toLowerCase(java.util.Locale.ROOT));
        this.input = input;
        this.partitioning = partitioning;
    }

    /** @return the stream to partition */
    public Transformation input()
    {
        return input;
    }

    /** @return how */
    public Partitioning partitioning()
    {
        return partitioning;
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
