package dev.millrace.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.node.BrokerNode;
import dev.millrace.runtime.cluster.JobProtocol.Accepted;
import dev.millrace.runtime.cluster.JobProtocol.CancelDone;
import dev.millrace.runtime.cluster.JobProtocol.InstanceDescription;
import dev.millrace.runtime.cluster.JobProtocol.InstanceStatus;
import dev.millrace.runtime.cluster.JobProtocol.JobDescription;
import dev.millrace.runtime.cluster.JobProtocol.Refused;
import dev.millrace.runtime.execution.JobState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes joined on 127.0.0.1: node A has no task slots, node B has 4. A job submitted through A is placed on
 * B by external shard allocation and runs there (every message between master and instances crosses nodes, so
 * through Kryo); cancel through A stops its instance on B.
 */
@Timeout(180)
class TwoNodeJobClusterTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static BrokerNode start(final Path dataDir, final int brokerId, final int port, final int slots,
        final List<String> seeds, final AtomicReference<JobCluster> jobs)
    {
        return BrokerNode.start(ConfigFactory.parseMap(Map.of(
                "millrace.broker.node.data-dir", dataDir.toString(),
                "millrace.broker.node.broker-id", brokerId,
                "millrace.broker.node.port", port,
                "millrace.broker.node.seed-nodes", seeds,
                "millrace.broker.node.start-timeout", "60s",
                "millrace.runtime.task-slots", slots,
                "pekko.cluster.roles", List.of(JobCluster.ROLE)))
            .withFallback(ConfigFactory.load()), List.of(node -> jobs.set(JobCluster.start(node.system()))));
    }

    @Test
    void shouldPlaceAJobOnTheNodeWithSlotsAndRunItThere() throws Exception
    {
        final Path dir = Files.createTempDirectory("job-cluster-2");
        final AtomicReference<JobCluster> jobsA = new AtomicReference<>();
        final AtomicReference<JobCluster> jobsB = new AtomicReference<>();
        // Both nodes get the same downing settings (a node with seed nodes uses the split-brain resolver), so A
        // seeds itself on a port picked free beforehand.
        final int portA;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            portA = socket.getLocalPort();
        }
        final String seed = "127.0.0.1:" + portA;
        try (BrokerNode a = start(dir.resolve("a"), 0, portA, 0, List.of(seed), jobsA))
        {
            try (BrokerNode b = start(dir.resolve("b"), 1, 0, 4, List.of(seed), jobsB))
            {
                final String nodeB = b.address().toString();
                final String runId = UUID.randomUUID().toString();
                // B's task slots may take a moment to show in A's receptionist: retry a refusal until then.
                final long deadline = System.nanoTime() + WAIT.toNanos();
                Object reply = jobsA.get().submit(TestJobs.Doubling.class.getName(), List.of(runId, "5000", "2"))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
                while (reply instanceof Refused && System.nanoTime() < deadline)
                {
                    TimeUnit.MILLISECONDS.sleep(100);
                    reply = jobsA.get().submit(TestJobs.Doubling.class.getName(), List.of(runId, "5000", "2"))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
                }
                final String jobId = assertInstanceOf(Accepted.class, reply, String.valueOf(reply)).jobId();
                final JobDescription done = awaitState(jobsA.get(), jobId, JobState.FINISHED);
                final List<Long> actual = new ArrayList<>(TestJobs.results(runId));
                actual.sort(null);
                assertEquals(LongStream.range(0, 5000).map(i -> i * 2).boxed().toList(), actual);
                for (final InstanceDescription instance : done.instances())
                {
                    assertEquals(nodeB, instance.node(), instance.toString());
                    assertEquals(InstanceStatus.FINISHED, instance.status());
                }
                assertTrue(done.figuresByNode().containsKey(nodeB), done.toString());
                assertEquals(5000, done.figuresByNode().get(nodeB).recordsSent());
                // Described the same from B.
                assertEquals(JobState.FINISHED, assertInstanceOf(JobDescription.class,
                    jobsB.get().describe(jobId).toCompletableFuture().get(30, TimeUnit.SECONDS)).state());

                final String endless = assertInstanceOf(Accepted.class, jobsA.get()
                    .submit(TestJobs.Endless.class.getName(), List.of("e", "1"))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS)).jobId();
                awaitState(jobsA.get(), endless, JobState.RUNNING);
                assertEquals(JobState.CANCELED, assertInstanceOf(CancelDone.class,
                    jobsA.get().cancel(endless).toCompletableFuture().get(30, TimeUnit.SECONDS)).state());
                final Refused tooBig = assertInstanceOf(Refused.class, jobsA.get()
                    .submit(TestJobs.Doubling.class.getName(), List.of("x", "1", "3"))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS));
                assertTrue(tooBig.reason().contains("needs 6 task slots"), tooBig.reason());
            }
        }
        finally
        {
            delete(dir);
        }
    }

    private static JobDescription awaitState(final JobCluster jobs, final String jobId, final JobState state)
        throws Exception
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        JobDescription description = assertInstanceOf(JobDescription.class,
            jobs.describe(jobId).toCompletableFuture().get(30, TimeUnit.SECONDS));
        while (description.state() != state && System.nanoTime() < deadline)
        {
            assertTrue(!description.state().isTerminal(), "expected " + state + " but the job ended: " + description);
            TimeUnit.MILLISECONDS.sleep(50);
            description = assertInstanceOf(JobDescription.class,
                jobs.describe(jobId).toCompletableFuture().get(30, TimeUnit.SECONDS));
        }
        assertEquals(state, description.state(), description.toString());
        return description;
    }

    private static void delete(final Path dir) throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList()))
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
