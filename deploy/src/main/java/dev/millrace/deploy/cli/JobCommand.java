package dev.millrace.deploy.cli;

import dev.millrace.runtime.cluster.JobGateway;
import dev.millrace.runtime.cluster.JobGatewayClient;
import dev.millrace.runtime.cluster.JobProtocol.Accepted;
import dev.millrace.runtime.cluster.JobProtocol.CancelDone;
import dev.millrace.runtime.cluster.JobProtocol.CancelReply;
import dev.millrace.runtime.cluster.JobProtocol.DescribeReply;
import dev.millrace.runtime.cluster.JobProtocol.InstanceDescription;
import dev.millrace.runtime.cluster.JobProtocol.JobDescription;
import dev.millrace.runtime.cluster.JobProtocol.NodeFigures;
import dev.millrace.runtime.cluster.JobProtocol.Refused;
import dev.millrace.runtime.cluster.JobProtocol.SubmitReply;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code millrace job submit|list|describe|cancel}: jobs on a cluster. The command asks one node's {@link JobGateway}
 * over Artery ({@link JobGatewayClient}); it does not join the cluster, so it changes nothing in its membership and
 * works while another node is unreachable.
 */
@Command(
    name = "job",
    description = "Submit, list, describe and cancel jobs on a cluster.",
    mixinStandardHelpOptions = true,
    subcommands = {JobCommand.Submit.class, JobCommand.ListJobs.class, JobCommand.Describe.class,
        JobCommand.Cancel.class})
public final class JobCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: submit, list, describe, cancel");
    }

    /** Where the cluster is and how long to wait: the options of every job subcommand. */
    static final class ClusterOptions
    {
        @Option(names = {"--cluster", "-c"}, paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7355",
            description = "A node's cluster (Artery) address, millrace.broker.node.host:port. Default: ${DEFAULT-VALUE}.")
        String cluster;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "Longest wait to reach the node and for each answer. Default: ${DEFAULT-VALUE}.")
        Duration timeout;

        /**
         * Runs one request through the node's job gateway, without joining the cluster, and returns its answer.
         *
         * @throws CommandFailedException with the reason when the node is not found, does not answer in time, or
         *     answers that it could not ask the cluster
         */
        <R extends JobGateway.Reply> R call(final Function<JobGatewayClient, CompletionStage<JobGateway.Reply>> request,
            final Class<R> expected)
        {
            final JobGatewayClient client;
            try
            {
                client = JobGatewayClient.connect(cluster, timeout);
            }
            catch (final IllegalStateException e)
            {
                throw new CommandFailedException(e.getMessage(), e);
            }
            try (client)
            {
                final JobGateway.Reply reply = await(request.apply(client).toCompletableFuture(), "the node at " + cluster);
                if (reply instanceof JobGateway.Failed failed)
                {
                    throw new CommandFailedException("the node at " + cluster + " could not answer: " + failed.reason());
                }
                return expected.cast(reply);
            }
        }

        private <T> T await(final CompletableFuture<T> future, final String what)
        {
            try
            {
                return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (final TimeoutException e)
            {
                throw new CommandFailedException("no answer within " + timeout + " from " + what);
            }
            catch (final ExecutionException e)
            {
                throw new CommandFailedException(what + " failed: " + e.getCause(), e.getCause());
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new CommandFailedException("interrupted while waiting for " + what);
            }
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Submit a job: a JobDefinition class on every node's class path, and its arguments. Prints the "
            + "job id; fails with the reason when the job is refused (unknown class, a graph that does not build, "
            + "not enough task slots).")
    static final class Submit implements Runnable
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions options;

        @Parameters(index = "0", paramLabel = "CLASS", description = "The job definition's class name.")
        String className;

        @Parameters(index = "1..*", paramLabel = "ARG", description = "Its arguments.")
        List<String> args = new ArrayList<>();

        @Override
        public void run()
        {
            final SubmitReply reply = options.call(jobs -> jobs.submit(className, args), JobGateway.Submitted.class).reply();
            if (reply instanceof Refused refused)
            {
                throw new CommandFailedException("job refused: " + refused.reason());
            }
            spec.commandLine().getOut().println(((Accepted) reply).jobId());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "List every job: id, state, instances finished/total, name, in submit order.")
    static final class ListJobs implements Runnable
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions options;

        @Override
        public void run()
        {
            final PrintWriter out = spec.commandLine().getOut();
            for (final JobDescription job : options.call(JobGatewayClient::list, JobGateway.Listed.class).jobs())
            {
                final long finished = job.instances().stream()
                    .filter(i -> i.status() == dev.millrace.runtime.cluster.JobProtocol.InstanceStatus.FINISHED).count();
                out.println(job.jobId() + "\t" + job.state() + "\t" + finished + "/" + job.instances().size() + "\t"
                    + job.name());
            }
        }
    }

    /** A subcommand about one job, named by its id. */
    abstract static class OneJob implements Runnable
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions options;

        @Parameters(index = "0", paramLabel = "JOB-ID")
        String jobId;

        CommandFailedException unknownJob()
        {
            return new CommandFailedException("job '" + jobId + "' does not exist");
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Describe a job: state, failure, each instance's status and node, and per node the exchange "
            + "figures (records and buffers sent, buffers encoded for other nodes, buffers in flight, time each vertex "
            + "waited for credit).")
    static final class Describe extends OneJob
    {
        @Override
        public void run()
        {
            final DescribeReply reply = options.call(jobs -> jobs.describe(jobId), JobGateway.Described.class).reply();
            if (!(reply instanceof JobDescription job))
            {
                throw unknownJob();
            }
            final PrintWriter out = spec.commandLine().getOut();
            out.printf("Job: %s\tState: %s\tName: %s%n", job.jobId(), job.state(), job.name());
            out.printf("Definition: %s %s%n", job.className(), String.join(" ", job.args()));
            out.printf("Submitted: %s%s%n", Instant.ofEpochMilli(job.submittedAtMs()),
                job.endedAtMs() == 0 ? "" : "\tEnded: " + Instant.ofEpochMilli(job.endedAtMs()));
            if (!job.failure().isEmpty())
            {
                out.println("Failure: " + job.failure());
            }
            out.printf("%-6s %-7s %-10s %-32s %s%n", "VERTEX", "SUBTASK", "STATUS", "NODE", "NAME");
            for (final InstanceDescription instance : job.instances())
            {
                out.printf("%-6d %-7d %-10s %-32s %s%n", instance.vertexId(), instance.subtask(), instance.status(),
                    instance.node(), instance.vertexName());
            }
            for (final Map.Entry<String, NodeFigures> node : new TreeMap<>(job.figuresByNode()).entrySet())
            {
                final NodeFigures figures = node.getValue();
                out.printf("Node %s: records sent %d, buffers sent %d, encoded buffers %d (%d bytes), in flight %d "
                        + "(max %d), back-pressure ms by vertex %s%n", node.getKey(), figures.recordsSent(),
                    figures.buffersSent(), figures.encodedBuffers(), figures.encodedBytes(), figures.buffersInFlight(),
                    figures.maxBuffersInFlight(), figures.blockedMsByVertex());
            }
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel a job: its instances are stopped. Prints the job's state after (an ended job stays as "
            + "it ended).")
    static final class Cancel extends OneJob
    {
        @Override
        public void run()
        {
            final CancelReply reply = options.call(jobs -> jobs.cancel(jobId), JobGateway.Cancelled.class).reply();
            if (!(reply instanceof CancelDone done))
            {
                throw unknownJob();
            }
            spec.commandLine().getOut().println(done.jobId() + "\t" + done.state());
        }
    }
}
