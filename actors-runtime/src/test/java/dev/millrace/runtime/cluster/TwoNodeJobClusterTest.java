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
import dev.millrace.runtime.cluster.JobProtocol.NodeFigures;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
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
        return start(dataDir, brokerId, port, slots, seeds, jobs, "pack");
    }

    private static BrokerNode start(final Path dataDir, final int brokerId, final int port, final int slots,
        final List<String> seeds, final AtomicReference<JobCluster> jobs, final String placement)
    {
        return BrokerNode.start(ConfigFactory.parseMap(Map.of(
                "millrace.runtime.placement", placement,
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

                // The finished job's instances release their slots as they stop, a moment after FINISHED.
                final String endless = submitUntilAccepted(jobsA.get(), TestJobs.Endless.class.getName(),
                    List.of("e", "1"));
                awaitState(jobsA.get(), endless, JobState.RUNNING);
                assertEquals(JobState.CANCELED, assertInstanceOf(CancelDone.class,
                    jobsA.get().cancel(endless).toCompletableFuture().get(30, TimeUnit.SECONDS)).state());
                // The receptionist leaves out B's slots while A cannot reach B (a loaded machine's failure
                // detector): such a refusal names no node, so ask again until B is listed.
                final long listedBy = System.nanoTime() + WAIT.toNanos();
                Refused tooBig = assertInstanceOf(Refused.class, jobsA.get()
                    .submit(TestJobs.Doubling.class.getName(), List.of("x", "1", "3"))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS));
                while (tooBig.reason().contains("no reachable node") && System.nanoTime() < listedBy)
                {
                    TimeUnit.MILLISECONDS.sleep(100);
                    tooBig = assertInstanceOf(Refused.class, jobsA.get()
                        .submit(TestJobs.Doubling.class.getName(), List.of("x", "1", "3"))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS));
                }
                assertTrue(tooBig.reason().contains("needs 6 task slots") && tooBig.reason().contains(nodeB + " "),
                    tooBig.reason());
            }
        }
        finally
        {
            delete(dir);
        }
    }

    /**
     * Two nodes with 2 task slots each and a job of 4 instances: neither node has room, so (placement pack) the job
     * spans both and its buffers between them are encoded. A job of 6 is refused naming both nodes' free slots.
     * Then a job runs on both nodes, its master on A, and B leaves: the job fails naming B.
     */
    @Test
    void shouldSpreadAJobOverTwoNodesWhenNeitherHasRoomAndFailItWhenOneLeaves() throws Exception
    {
        final Path dir = Files.createTempDirectory("job-cluster-span");
        final AtomicReference<JobCluster> jobsA = new AtomicReference<>();
        final AtomicReference<JobCluster> jobsB = new AtomicReference<>();
        final int portA = freePort();
        final String seed = "127.0.0.1:" + portA;
        try (BrokerNode a = start(dir.resolve("a"), 0, portA, 2, List.of(seed), jobsA))
        {
            final BrokerNode b = start(dir.resolve("b"), 1, 0, 2, List.of(seed), jobsB);
            boolean bOpen = true;
            try
            {
                final String nodeA = a.address().toString();
                final String nodeB = b.address().toString();
                final String runId = UUID.randomUUID().toString();
                final String jobId = submitUntilAccepted(jobsA.get(), TestJobs.Doubling.class.getName(),
                    List.of(runId, "20000", "2"));
                final JobDescription done = awaitState(jobsA.get(), jobId, JobState.FINISHED);
                final List<Long> actual = new ArrayList<>(TestJobs.results(runId));
                actual.sort(null);
                assertEquals(LongStream.range(0, 20000).map(i -> i * 2).boxed().toList(), actual);
                assertEquals(4, done.instances().size(), done.toString());
                assertEquals(Set.of(nodeA, nodeB), done.instances().stream().map(InstanceDescription::node)
                    .collect(Collectors.toSet()), done.toString());
                assertEquals(2, done.instances().stream().filter(i -> i.node().equals(nodeA)).count(),
                    done.toString());
                for (final InstanceDescription instance : done.instances())
                {
                    assertEquals(InstanceStatus.FINISHED, instance.status(), instance.toString());
                }
                final long encoded = done.figuresByNode().values().stream().mapToLong(NodeFigures::encodedBuffers).sum();
                assertTrue(encoded > 0, done.toString());
                assertEquals(20000, done.figuresByNode().values().stream().mapToLong(NodeFigures::recordsSent).sum(),
                    done.toString());

                // 6 instances on 2 + 2 slots: refused, all or nothing (once the finished job's slots are free again).
                final long deadline = System.nanoTime() + WAIT.toNanos();
                Refused refused;
                do
                {
                    refused = assertInstanceOf(Refused.class, jobsA.get()
                        .submit(TestJobs.Doubling.class.getName(), List.of("x", "1", "3"))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS));
                }
                while (!(refused.reason().contains(nodeA + " 2/2") && refused.reason().contains(nodeB + " 2/2"))
                    && System.nanoTime() < deadline && pause());
                assertTrue(refused.reason().contains("needs 6 task slots"), refused.reason());
                assertTrue(refused.reason().contains("have 4 free"), refused.reason());
                assertTrue(refused.reason().contains(nodeA + " 2/2") && refused.reason().contains(nodeB + " 2/2"),
                    refused.reason());

                // A job on both nodes whose master is on A; B leaves.
                String running = null;
                for (int attempt = 0; attempt < 20 && running == null; attempt++)
                {
                    final String endless = submitUntilAccepted(jobsA.get(), TestJobs.Endless.class.getName(),
                        List.of("e", "4"));
                    final JobDescription description = awaitState(jobsA.get(), endless, JobState.RUNNING);
                    assertEquals(Set.of(nodeA, nodeB), description.instances().stream()
                        .map(InstanceDescription::node).collect(Collectors.toSet()), description.toString());
                    if (hostsMaster(a, endless))
                    {
                        running = endless;
                    }
                    else
                    {
                        jobsA.get().cancel(endless).toCompletableFuture().get(30, TimeUnit.SECONDS);
                    }
                }
                assertTrue(running != null, "no job master landed on A in 20 attempts");
                b.close();
                bOpen = false;
                final JobDescription failed = awaitState(jobsA.get(), running, JobState.FAILED);
                assertTrue(failed.failure().contains(nodeB), failed.failure());
                for (final InstanceDescription instance : failed.instances())
                {
                    assertTrue(instance.status() == InstanceStatus.FAILED || instance.status() == InstanceStatus.CANCELED,
                        instance.toString());
                }
            }
            finally
            {
                if (bOpen)
                {
                    b.close();
                }
            }
        }
        finally
        {
            delete(dir);
        }
    }

    /** Placement spread: a job of 2 instances on two nodes of 3 slots each goes to both, and runs. */
    @Test
    void shouldSpreadEvenAJobThatFitsOneNodeWhenPlacementIsSpread() throws Exception
    {
        final Path dir = Files.createTempDirectory("job-cluster-spread");
        final AtomicReference<JobCluster> jobsA = new AtomicReference<>();
        final AtomicReference<JobCluster> jobsB = new AtomicReference<>();
        final int portA = freePort();
        final String seed = "127.0.0.1:" + portA;
        try (BrokerNode a = start(dir.resolve("a"), 0, portA, 3, List.of(seed), jobsA, "spread");
             BrokerNode b = start(dir.resolve("b"), 1, 0, 3, List.of(seed), jobsB, "spread"))
        {
            final String nodeA = a.address().toString();
            final String nodeB = b.address().toString();
            // B's slots may take a moment to show in A's receptionist: until then a job of 2 lands on A only.
            final long deadline = System.nanoTime() + WAIT.toNanos();
            JobDescription done;
            String runId;
            do
            {
                runId = UUID.randomUUID().toString();
                final String jobId = submitUntilAccepted(jobsA.get(), TestJobs.Doubling.class.getName(),
                    List.of(runId, "3000", "1"));
                done = awaitState(jobsA.get(), jobId, JobState.FINISHED);
            }
            while (done.instances().stream().map(InstanceDescription::node).distinct().count() < 2
                && System.nanoTime() < deadline && pause());
            assertEquals(Set.of(nodeA, nodeB), done.instances().stream().map(InstanceDescription::node)
                .collect(Collectors.toSet()), done.toString());
            final List<Long> actual = new ArrayList<>(TestJobs.results(runId));
            actual.sort(null);
            assertEquals(LongStream.range(0, 3000).map(i -> i * 2).boxed().toList(), actual);
            assertTrue(done.figuresByNode().values().stream().mapToLong(NodeFigures::encodedBuffers).sum() > 0,
                done.toString());
        }
        finally
        {
            delete(dir);
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static boolean pause() throws InterruptedException
    {
        TimeUnit.MILLISECONDS.sleep(100);
        return true;
    }

    /** Retries a refusal (the workers' slots show in the receptionist, or are released, a moment later). */
    private static String submitUntilAccepted(final JobCluster jobs, final String className, final List<String> args)
        throws Exception
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        Object reply = jobs.submit(className, args).toCompletableFuture().get(30, TimeUnit.SECONDS);
        while (reply instanceof Refused && System.nanoTime() < deadline && pause())
        {
            reply = jobs.submit(className, args).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        return assertInstanceOf(Accepted.class, reply, String.valueOf(reply)).jobId();
    }

    /** @return whether the job's master entity runs on the node (its local shards, asked of its shard region) */
    private static boolean hostsMaster(final BrokerNode node, final String jobId) throws Exception
    {
        final ShardRegion.CurrentShardRegionState state = AskPattern.<ClusterShardingQuery,
                ShardRegion.CurrentShardRegionState>ask(ClusterSharding.get(node.system()).shardState(),
                replyTo -> new GetShardRegionState(JobMasterEntity.TYPE_KEY, replyTo), Duration.ofSeconds(10),
                node.system().scheduler())
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
        return state.getShards().stream().anyMatch(shard -> shard.getEntityIds().contains(jobId));
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
