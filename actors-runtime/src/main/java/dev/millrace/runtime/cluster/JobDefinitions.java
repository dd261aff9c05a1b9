package dev.millrace.runtime.cluster;

import com.typesafe.config.Config;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.graph.JobGraph;
import java.util.List;

/**
 * Rebuilds a job graph from a {@link JobDefinition} class name and arguments. The submitter calls it first, so a
 * definition that is unknown or fails to build is refused at submit with its cause; each node that hosts
 * instances calls it again to get the same graph.
 *
 * <p>Threading: stateless.
 */
public final class JobDefinitions
{
    private JobDefinitions()
    {
    }

    /**
     * @param className the definition's class, on this node's class path
     * @param args      its arguments
     * @param jobName   the graph's name
     * @param config    the node's configuration (for the state backend's settings)
     * @return the graph
     * @throws JobRefusedException naming the class and the cause when it cannot be loaded, instantiated or built
     */
    public static JobGraph build(final String className, final List<String> args, final String jobName,
        final Config config)
    {
        final Class<?> type;
        try
        {
            type = Class.forName(className, true, JobDefinitions.class.getClassLoader());
        }
        catch (final ClassNotFoundException | LinkageError e)
        {
            throw new JobRefusedException("job definition class '" + className + "' is not on the class path", e);
        }
        if (!JobDefinition.class.isAssignableFrom(type))
        {
            throw new JobRefusedException("'" + className + "' does not implement " + JobDefinition.class.getName(),
                null);
        }
        final JobDefinition definition;
        try
        {
            definition = (JobDefinition) type.getConstructor().newInstance();
        }
        catch (final ReflectiveOperationException | RuntimeException e)
        {
            final Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
            throw new JobRefusedException("job definition '" + className
                + "' cannot be instantiated (it needs a public no-argument constructor): " + cause, cause);
        }
        try
        {
            final JobBuilder builder = JobBuilder.create();
            definition.define(builder, List.copyOf(args));
            final JobGraph graph = builder.build(jobName);
            return graph.withStateBackend(graph.stateBackend().withConfig(config));
        }
        catch (final RuntimeException e)
        {
            throw new JobRefusedException("job definition '" + className + "' failed to build its graph: " + e, e);
        }
    }
}
