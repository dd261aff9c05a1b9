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
import dev.millrace.runtime.cluster.JobProtocol.SubmitReply;
import dev.millrace.runtime.cluster.JobProtocol.UnknownJob;
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
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Jobs on a one-node cluster (a broker node with the embedded journal in a temp dir, 6 task slots): submit by
 * definition class name, results, status transitions, describe and list, cancel, refusals, and a job master's
 * status recovered after its node restarts.
 */
@Timeout(180)
class JobClusterTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    private record Node(BrokerNode broker, JobCluster jobs) implements AutoCloseable
    {
        static Node start(final Path dataDir, final int port)
        {
            final AtomicReference<JobCluster> jobs = new AtomicReference<>();
            final BrokerNode broker = BrokerNode.start(ConfigFactory.parseMap(Map.of(
                    "millrace.broker.node.data-dir", dataDir.toString(),
                    "millrace.broker.node.port", port,
                    "millrace.broker.node.start-timeout", "30s",
                    "millrace.runtime.task-slots", 6,
                    "pekko.cluster.roles", List.of(JobCluster.ROLE)))
                .withFallback(ConfigFactory.load()), List.of(node -> jobs.set(JobCluster.start(node.system()))));
            return new Node(broker, jobs.get());
        }

        String address()
        {
            return broker.address().toString();
        }

        @Override
        public void close()
        {
            broker.close();
        }
    }

    @Test
    void shouldRunRefuseCancelListAndRecoverJobs() throws Exception
    {
        final Path dir = Files.createTempDirectory("job-cluster");
        try
        {
            final String finishedId;
            final String runningId;
            // The node restarts at the same address, as a node with a configured port does.
            final int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
            {
                port = socket.getLocalPort();
            }
            try (Node node = Node.start(dir, port))
            {
                finishedId = shouldRunAJobToTheEnd(node);
                shouldRefuse(node);
                runningId = shouldCancelAndFreeSlots(node);
                final List<String> listed = node.jobs().list().toCompletableFuture().get(30, TimeUnit.SECONDS)
                    .stream().map(JobDescription::jobId).toList();
                assertTrue(listed.contains(finishedId) && listed.contains(runningId), "list: " + listed);
            }
            try (Node node = Node.start(dir, port))
            {
                // The finished job's status and instances come back from the journal.
                final JobDescription finished = describe(node, finishedId);
                assertEquals(JobState.FINISHED, finished.state());
                assertEquals(4, finished.instances().size());
                assertTrue(finished.instances().stream().allMatch(i -> i.status() == InstanceStatus.FINISHED));
                assertTrue(finished.figuresByNode().values().stream().anyMatch(f -> f.recordsSent() > 0),
                    "final figures survive: " + finished.figuresByNode());
                // The job that was running when its node stopped is failed on recovery: its instance is gone.
                final JobDescription lost = awaitState(node, runningId, JobState.FAILED);
                assertTrue(lost.failure().contains("not running on " + node.address() + " (its node restarted"),
                    lost.failure());
                final List<String> listed = node.jobs().list().toCompletableFuture().get(30, TimeUnit.SECONDS)
                    .stream().map(JobDescription::jobId).toList();
                assertTrue(listed.contains(finishedId) && listed.contains(runningId), "list after restart: " + listed);
            }
        }
        finally
        {
            delete(dir);
        }
    }

    private String shouldRunAJobToTheEnd(final Node node) throws Exception
    {
        final String runId = UUID.randomUUID().toString();
        final String jobId = accepted(submit(node, TestJobs.Doubling.class.getName(), runId, "20000", "2"));
        final JobDescription done = awaitState(node, jobId, JobState.FINISHED);
        final List<Long> expected = LongStream.range(0, 20_000).map(i -> i * 2).boxed().toList();
        final List<Long> actual = new ArrayList<>(TestJobs.results(runId));
        actual.sort(null);
        assertEquals(expected, actual);
        assertEquals(4, done.instances().size(), "2 vertices x parallelism 2: " + done.instances());
        for (final InstanceDescription instance : done.instances())
        {
            assertEquals(InstanceStatus.FINISHED, instance.status(), instance.toString());
            assertEquals(node.address(), instance.node(), instance.toString());
        }
        assertEquals(TestJobs.Doubling.class.getName(), done.className());
        assertTrue(done.endedAtMs() >= done.submittedAtMs());
        final JobProtocol.NodeFigures figures = done.figuresByNode().get(node.address());
        assertEquals(20_000, figures.recordsSent(), "records over the rebalance exchange: " + figures);
        assertEquals(2, figures.blockedMsByVertex().size());
        return jobId;
    }

    private void shouldRefuse(final Node node) throws Exception
    {
        final Refused unknown = assertInstanceOf(Refused.class, submit(node, "no.such.Definition", "x"));
        assertTrue(unknown.reason().contains("'no.such.Definition' is not on the class path"), unknown.reason());
        final Refused broken = assertInstanceOf(Refused.class, submit(node, TestJobs.Broken.class.getName()));
        assertTrue(broken.reason().contains("broken on purpose"), broken.reason());
        final Refused notADefinition = assertInstanceOf(Refused.class, submit(node, String.class.getName()));
        assertTrue(notADefinition.reason().contains("does not implement"), notADefinition.reason());
        // Parallelism 4 over 2 vertices: 8 instances, 6 slots.
        final Refused tooBig = assertInstanceOf(Refused.class,
            submit(node, TestJobs.Doubling.class.getName(), "big", "10", "4"));
        assertTrue(tooBig.reason().contains("needs 8 task slots") && tooBig.reason().contains(node.address() + " 6/6"),
            tooBig.reason());
        assertInstanceOf(UnknownJob.class, node.jobs().describe("no-such-job").toCompletableFuture()
            .get(30, TimeUnit.SECONDS));
        assertInstanceOf(UnknownJob.class, node.jobs().cancel("no-such-job").toCompletableFuture()
            .get(30, TimeUnit.SECONDS));
    }

    private String shouldCancelAndFreeSlots(final Node node) throws Exception
    {
        final String endlessA = accepted(submit(node, TestJobs.Endless.class.getName(), "a", "1"));
        final JobDescription running = awaitState(node, endlessA, JobState.RUNNING);
        assertEquals(InstanceStatus.DEPLOYED, running.instances().get(0).status());
        final String endlessB = accepted(submit(node, TestJobs.Endless.class.getName(), "b", "2"));
        awaitState(node, endlessB, JobState.RUNNING);
        // 3 of 6 slots are taken: a job of 4 instances does not fit until the second endless job is cancelled.
        final Refused full = assertInstanceOf(Refused.class,
            submit(node, TestJobs.Doubling.class.getName(), "full", "10", "2"));
        assertTrue(full.reason().contains("needs 4 task slots") && full.reason().contains("3/6"), full.reason());
        final CancelDone cancelled = assertInstanceOf(CancelDone.class,
            node.jobs().cancel(endlessB).toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertEquals(JobState.CANCELED, cancelled.state());
        final JobDescription described = describe(node, endlessB);
        assertEquals(JobState.CANCELED, described.state());
        assertEquals(InstanceStatus.CANCELED, described.instances().get(0).status());
        // Cancelling an ended job changes nothing.
        assertEquals(JobState.CANCELED, assertInstanceOf(CancelDone.class,
            node.jobs().cancel(endlessB).toCompletableFuture().get(30, TimeUnit.SECONDS)).state());
        // The cancelled instances free their slots (asynchronously): the 4-instance job fits then.
        final String runId = UUID.randomUUID().toString();
        final long deadline = System.nanoTime() + WAIT.toNanos();
        SubmitReply reply = submit(node, TestJobs.Doubling.class.getName(), runId, "1000", "2");
        while (reply instanceof Refused && System.nanoTime() < deadline)
        {
            reply = submit(node, TestJobs.Doubling.class.getName(), runId, "1000", "2");
        }
        final String fits = accepted(reply);
        awaitState(node, fits, JobState.FINISHED);
        assertEquals(1000, TestJobs.results(runId).size());
        return endlessA;
    }

    private static SubmitReply submit(final Node node, final String className, final String... args) throws Exception
    {
        return node.jobs().submit(className, List.of(args)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static String accepted(final SubmitReply reply)
    {
        return assertInstanceOf(Accepted.class, reply, String.valueOf(reply)).jobId();
    }

    private static JobDescription describe(final Node node, final String jobId) throws Exception
    {
        return assertInstanceOf(JobDescription.class,
            node.jobs().describe(jobId).toCompletableFuture().get(30, TimeUnit.SECONDS));
    }

    private static JobDescription awaitState(final Node node, final String jobId, final JobState state)
        throws Exception
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        JobDescription description = describe(node, jobId);
        while (description.state() != state && System.nanoTime() < deadline)
        {
            assertTrue(!description.state().isTerminal(), "expected " + state + " but the job ended: " + description);
            TimeUnit.MILLISECONDS.sleep(50);
            description = describe(node, jobId);
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
