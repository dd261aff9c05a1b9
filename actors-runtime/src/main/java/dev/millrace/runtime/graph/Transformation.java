package dev.millrace.runtime.graph;

import java.util.List;

/**
 * A node of the logical plan the API builds: what a stream is made from. Physical transformations
 * (sources, operators) become operators of the job graph; virtual ones (partitioning, union, side output)
 * become properties of edges. Ids are assigned in creation order, which is a topological order.
 *
 * <p>Threading: built by one thread, then read-only.
 */
public abstract sealed class Transformation permits SourceTransformation, OneInputTransformation,
    PartitionTransformation, UnionTransformation, SideOutputTransformation
{
    private final int id;
    private String name;
    private String uid;
    private int parallelism = -1;

    Transformation(final int id, final String name)
    {
        this.id = id;
        this.name = name;
    }

    /** @return the id, unique in its job */
    public final int id()
    {
        return id;
    }

    /** @return the display name */
    public final String name()
    {
        return name;
    }

    /** @param newName the display name */
    public final void setName(final String newName)
    {
        this.name = newName;
    }

    /** @return the stable id that state snapshots are matched by, or null */
    public final String uid()
    {
        return uid;
    }

    /** @param newUid the stable id that state snapshots are matched by */
    public final void setUid(final String newUid)
    {
        this.uid = newUid;
    }

    /** @return the parallelism, or -1 for the job's default */
    public final int parallelism()
    {
        return parallelism;
    }

    /** @param newParallelism the parallelism (validated when the job graph is built) */
    public final void setParallelism(final int newParallelism)
    {
        this.parallelism = newParallelism;
    }

    /** @return the transformations this one reads */
    public abstract List<Transformation> inputs();

    /** @return whether it becomes an operator (else it shapes edges) */
    public abstract boolean isPhysical();
}
