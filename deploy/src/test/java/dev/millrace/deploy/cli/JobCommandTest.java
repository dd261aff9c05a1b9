package dev.millrace.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.node.BrokerNode;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.cluster.JobCluster;
import dev.millrace.runtime.cluster.JobDefinition;
import dev.millrace.runtime.cluster.JobProtocol.JobDescription;
import dev.millrace.runtime.execution.JobState;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code millrace job submit|list|describe|cancel} against an in-JVM node that runs jobs. */
@Timeout(180)
class JobCommandTest
{
    static final Queue<Long> RESULTS = new ConcurrentLinkedQueue<>();

    @TempDir
    static Path dataDir;

    /** Every member the node saw join or come up: the command line must not be one of them. */
    static final Queue<String> MEMBER_EVENTS = new ConcurrentLinkedQueue<>();

    static BrokerNode node;
    static JobCluster jobs;
    static String cluster;

    /** Sums 1..n (args: n) into {@link #RESULTS}. */
    public static final class Summing implements JobDefinition
    {
        @Override
        public void define(final JobBuilder job, final List<String> args)
        {
            job.setParallelism(1);
            job.fromGenerator(Long.parseLong(args.get(0)), i -> i + 1).sinkTo((Long value, long ts) -> RESULTS.add(value));
        }
    }

    @BeforeAll
    static void startNode()
    {
        final AtomicReference<JobCluster> started = new AtomicReference<>();
        node = BrokerNode.start(ConfigFactory.parseMap(Map.of(
                "millrace.broker.node.data-dir", dataDir.toString(),
                "millrace.broker.node.port", 0,
                "millrace.broker.node.start-timeout", "30s",
                "millrace.runtime.task-slots", 2,
                "pekko.cluster.roles", List.of(JobCluster.ROLE)))
            .withFallback(ConfigFactory.load()), List.of(n -> started.set(JobCluster.start(n.system()))));
        jobs = started.get();
        cluster = "127.0.0.1:" + node.address().getPort().get();
        final ActorRef<ClusterEvent.MemberEvent> listener = node.system().systemActorOf(
            Behaviors.receiveMessage(event ->
            {
                MEMBER_EVENTS.add(event.getClass().getSimpleName() + " " + event.member().address());
                return Behaviors.same();
            }), "member-events", Props.empty());
        Cluster.get(node.system()).subscriptions().tell(Subscribe.create(listener, ClusterEvent.MemberEvent.class));
    }

    @AfterAll
    static void stopNode()
    {
        if (node != null)
        {
            node.close();
        }
    }

    @Test
    void shouldSubmitDescribeListAndRefuse() throws Exception
    {
        final Cli.Result submitted = Cli.run("job", "submit", "--cluster", cluster, Summing.class.getName(), "100");
        assertEquals(0, submitted.exitCode(), submitted.toString());
        final String jobId = submitted.out().trim();
        assertTrue(jobId.startsWith("JobCommandTest_Summing-"), submitted.toString());
        awaitState(jobId, JobState.FINISHED);
        assertEquals(5050L, RESULTS.stream().mapToLong(Long::longValue).sum());

        final Cli.Result described = Cli.run("job", "describe", "--cluster", cluster, jobId);
        assertEquals(0, described.exitCode(), described.toString());
        assertTrue(described.out().contains("State: FINISHED"), described.toString());
        assertTrue(described.out().contains("FINISHED   " + node.address()), described.toString());
        assertTrue(described.out().contains("back-pressure ms by vertex [0]"), described.toString());

        final Cli.Result listed = Cli.run("job", "list", "--cluster", cluster);
        assertEquals(0, listed.exitCode(), listed.toString());
        assertTrue(listed.lines().contains(jobId + "\tFINISHED\t1/1\tJobCommandTest$Summing"), listed.toString());

        final Cli.Result cancelled = Cli.run("job", "cancel", "--cluster", cluster, jobId);
        assertEquals(List.of(jobId + "\tFINISHED"), cancelled.lines(), cancelled.toString());

        final Cli.Result refused = Cli.run("job", "submit", "--cluster", cluster, "no.such.Job");
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("job refused: job definition class 'no.such.Job' is not on the class path"),
            refused.toString());

        final Cli.Result tooBig = Cli.run("job", "submit", "--cluster", cluster, Summing.class.getName(), "x");
        assertEquals(1, tooBig.exitCode(), tooBig.toString());
        assertTrue(tooBig.err().contains("failed to build its graph"), tooBig.toString());

        final Cli.Result unknown = Cli.run("job", "describe", "--cluster", cluster, "nope");
        assertEquals(1, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.err().contains("job 'nope' does not exist"), unknown.toString());

        // Seven calls, and the node's cluster never saw another member: the command line talks to the job gateway
        // without joining (the initial state lists the node itself as up).
        final String self = node.address().toString();
        assertTrue(MEMBER_EVENTS.stream().allMatch(event -> event.endsWith(" " + self)), MEMBER_EVENTS.toString());
        assertEquals(1, Cluster.get(node.system()).state().members().size());
    }

    @Test
    void shouldNameTheAddressWhereNoNodeAnswers() throws Exception
    {
        final int freePort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            freePort = socket.getLocalPort();
        }
        final Cli.Result nobody = Cli.run("job", "list", "--cluster", "127.0.0.1:" + freePort, "--timeout", "2s");
        assertEquals(1, nobody.exitCode(), nobody.toString());
        assertTrue(nobody.err().contains("no job gateway answered at pekko://millrace@127.0.0.1:" + freePort),
            nobody.toString());
    }

    private static void awaitState(final String jobId, final JobState state) throws Exception
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JobDescription description;
        do
        {
            description = assertInstanceOf(JobDescription.class,
                jobs.describe(jobId).toCompletableFuture().get(30, TimeUnit.SECONDS));
            if (description.state() != state)
            {
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
        while (description.state() != state && System.nanoTime() < deadline);
        assertEquals(state, description.state(), description.toString());
    }
}
