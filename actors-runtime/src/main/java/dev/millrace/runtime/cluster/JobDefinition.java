package dev.millrace.runtime.cluster;

import dev.millrace.runtime.api.JobBuilder;
import java.util.List;

/**
 * A job that can travel: it is submitted as this class's name plus arguments, never as lambdas, and every node
 * that runs a part of it rebuilds the same graph by calling {@link #define} (the same jar is on every node).
 * {@code define} must therefore be deterministic: the same arguments give the same vertices, in the same order,
 * with the same parallelism.
 *
 * <p>Implementations need a public no-argument constructor.
 */
public interface JobDefinition
{
    /**
     * Adds the job's sources, operators and sinks.
     *
     * @param job  the builder to define the job on
     * @param args the arguments given at submit
     */
    void define(JobBuilder job, List<String> args);
}
