package dev.millrace.runtime.examples.nexmark;

import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.node.Broker;
import dev.millrace.broker.node.BrokerNode;
import dev.millrace.runtime.api.CollectingSink;
import dev.millrace.runtime.api.DataStream;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.execution.JobResult;
import dev.millrace.runtime.execution.JobState;
import dev.millrace.runtime.execution.LocalJobRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nexmark through the log: events written to a 3-partition topic by one job and read back by the queries give
 * exactly the results the same queries give over the generator (whose results {@link NexmarkQueriesTest} checks
 * against plain Java). Reading the log, the events of a partition arrive interleaved with the others' in whatever
 * order the fetches complete; event time per partition keeps every window complete.
 */
class NexmarkLogTest
{
    private static final NexmarkGenerator GENERATOR = NexmarkGenerator.defaults();
    private static final int EVENTS = 30_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldGiveTheSameResultsFromTheLogAsFromTheGenerator() throws Exception
    {
        try (BrokerNode node = BrokerNode.start(ConfigFactory.parseMap(Map.of(
                "millrace.broker.node.data-dir", dataDir.toString(),
                "millrace.broker.node.port", 0,
                "millrace.broker.node.start-timeout", "30s"))
            .withFallback(ConfigFactory.load())))
        {
            final TestProbe<CreateTopicReply> created = TestProbe.create(node.system());
            node.broker().tell(new Broker.CreateTopic("nexmark", 3, 1, Map.of(), created.ref()));
            created.expectMessageClass(TopicCreationAccepted.class, TIMEOUT);

            // One writer, so that each partition holds a subsequence of the generator's order (two writers would
            // interleave their shares in whatever order they ran, far beyond the out-of-orderness bound).
            final JobBuilder writer = JobBuilder.create().setParallelism(1);
            NexmarkLog.writeEvents(writer, GENERATOR, EVENTS, "nexmark");
            final JobResult written = LocalJobRunner.submit(node.system(), writer.build("write")).await(TIMEOUT);
            assertEquals(JobState.FINISHED, written.state(), () -> String.valueOf(written.failure()));

            final Map<Bid, Integer> q1 = fromLog(node, NexmarkQueries::q1);
            assertEquals(fromGenerator(node, NexmarkQueries::q1), q1);
            assertTrue(q1.size() > 20_000, "bids: " + q1.size());
            final Map<Bid, Integer> q7 = fromLog(node, NexmarkQueries::q7);
            assertEquals(fromGenerator(node, NexmarkQueries::q7), q7);
            assertTrue(q7.size() >= 3, "q7 results: " + q7.size());
            final Map<NexmarkQueries.HotItem, Integer> q5 = fromLog(node, NexmarkQueries::q5);
            assertEquals(fromGenerator(node, NexmarkQueries::q5), q5);
            assertTrue(q5.size() >= 10, "q5 results: " + q5.size());
        }
    }

    private static <T> Map<T, Integer> fromLog(final BrokerNode node,
        final Function<DataStream<Event>, DataStream<T>> query) throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        return run(node, job, query.apply(NexmarkLog.events(job, "nexmark",
            Duration.ofMillis(GENERATOR.maxOutOfOrdernessMs()), true)));
    }

    private static <T> Map<T, Integer> fromGenerator(final BrokerNode node,
        final Function<DataStream<Event>, DataStream<T>> query) throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        return run(node, job, query.apply(NexmarkQueries.events(job, GENERATOR, EVENTS)));
    }

    private static <T> Map<T, Integer> run(final BrokerNode node, final JobBuilder job, final DataStream<T> results)
        throws Exception
    {
        final CollectingSink<T> sink = new CollectingSink<>();
        results.sinkTo(sink);
        final JobResult result = LocalJobRunner.submit(node.system(), job.build("nexmark")).await(TIMEOUT);
        assertEquals(JobState.FINISHED, result.state(), () -> String.valueOf(result.failure()));
        final List<T> values = sink.results();
        final Map<T, Integer> counts = new HashMap<>();
        for (final T value : values)
        {
            counts.merge(value, 1, Integer::sum);
        }
        return counts;
    }
}
