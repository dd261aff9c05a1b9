package dev.millrace.runtime.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.runtime.cluster.JobGateway.Reply;
import dev.millrace.runtime.cluster.JobGateway.Request;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.ActorSelection;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A client of a node's {@link JobGateway}: a small actor system with Artery but no cluster, so using it changes
 * nothing in the cluster's membership. The node is named by its cluster (Artery) address; the client speaks the same
 * Artery transport as configured here ({@code pekko.remote.artery.transport}, TCP by default, as the nodes' default).
 *
 * <p>Threading: thread-safe; {@link #close} once done.
 */
public final class JobGatewayClient implements AutoCloseable
{
    private final ActorSystem<Void> system;
    private final ActorRef<Request> gateway;
    private final Duration timeout;

    private JobGatewayClient(final ActorSystem<Void> system, final ActorRef<Request> gateway, final Duration timeout)
    {
        this.system = system;
        this.gateway = gateway;
        this.timeout = timeout;
    }

    /**
     * Finds the gateway of the node at {@code hostPort}.
     *
     * @param hostPort the node's cluster address, {@code host:port} ({@code millrace.broker.node.host:port})
     * @param timeout  the longest wait to find the gateway, and for each answer
     * @throws IllegalStateException naming the address when no gateway answers there within {@code timeout} (no node
     *     there, a node that hosts no jobs, or another Artery transport)
     */
    public static JobGatewayClient connect(final String hostPort, final Duration timeout)
    {
        final Config config = ConfigFactory.parseMap(Map.of(
                "pekko.actor.provider", "remote",
                "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                "pekko.remote.artery.canonical.port", 0,
                // The node this talks to may be gone; a client stops without waiting for it.
                "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off",
                // Remoting without a cluster is this client's point: no warning about it. A short-lived client's
                // connection aborted at its own stop is no news either; failures reach the caller as exceptions.
                "pekko.remote.warn-about-direct-use", "off",
                "pekko.loglevel", "ERROR"))
            .withFallback(ConfigFactory.load());
        final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "millrace-job-client", config);
        final String path = "pekko://millrace@" + hostPort + JobGateway.PATH;
        try
        {
            final ActorSelection selection = Adapter.toClassic(system).actorSelection(path);
            final org.apache.pekko.actor.ActorRef found = selection.resolveOne(timeout).toCompletableFuture()
                .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            return new JobGatewayClient(system, Adapter.toTyped(found), timeout);
        }
        catch (final ExecutionException | TimeoutException e)
        {
            system.terminate();
            throw new IllegalStateException("no job gateway answered at " + path + " within " + timeout +
                " (is a Millrace node with role " + JobCluster.ROLE + " running there, with the same Artery transport?)", e);
        }
        catch (final InterruptedException e)
        {
            system.terminate();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking for the job gateway at " + path, e);
        }
    }

    /** See {@link JobCluster#submit}. */
    public CompletionStage<Reply> submit(final String className, final List<String> args)
    {
        return ask(replyTo -> new JobGateway.SubmitJob(className, List.copyOf(args), replyTo));
    }

    /** See {@link JobCluster#list}. */
    public CompletionStage<Reply> list()
    {
        return ask(JobGateway.ListJobs::new);
    }

    /** See {@link JobCluster#describe}. */
    public CompletionStage<Reply> describe(final String jobId)
    {
        return ask(replyTo -> new JobGateway.DescribeJob(jobId, replyTo));
    }

    /** See {@link JobCluster#cancel}. */
    public CompletionStage<Reply> cancel(final String jobId)
    {
        return ask(replyTo -> new JobGateway.CancelJob(jobId, replyTo));
    }

    private CompletionStage<Reply> ask(final Function<ActorRef<Reply>, Request> request)
    {
        // The gateway's own ask to the cluster times out first and answers Failed; this one only covers a lost node.
        return AskPattern.ask(gateway, request::apply, timeout.plusSeconds(1), system.scheduler());
    }

    /** Stops the client's actor system and waits, up to the timeout, until it has. */
    @Override
    public void close()
    {
        system.terminate();
        try
        {
            system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException e)
        {
            // Stopping is best effort: the answers are already in hand.
        }
    }
}
