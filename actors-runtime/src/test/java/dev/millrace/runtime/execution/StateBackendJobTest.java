package dev.millrace.runtime.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.millrace.runtime.api.AggregateFunction;
import dev.millrace.runtime.api.CollectingSink;
import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.KeyedProcessFunction;
import dev.millrace.runtime.api.RuntimeContext;
import dev.millrace.runtime.state.AggregatingState;
import dev.millrace.runtime.state.AggregatingStateDescriptor;
import dev.millrace.runtime.state.ListState;
import dev.millrace.runtime.state.ListStateDescriptor;
import dev.millrace.runtime.state.MapState;
import dev.millrace.runtime.state.MapStateDescriptor;
import dev.millrace.runtime.state.ReducingState;
import dev.millrace.runtime.state.ReducingStateDescriptor;
import dev.millrace.runtime.state.StateBackend;
import dev.millrace.runtime.state.StateBackends;
import dev.millrace.runtime.state.StateSerializationException;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs with keyed state on the heap and on RocksDB (chosen per job, RocksDB configured from the actor system's
 * configuration): every state type through the runtime context gives the independently computed result on
 * both, RocksDB's directories exist while the job runs and are gone after it, and a state value the
 * serializer cannot write fails the job with a {@link StateSerializationException}, never a silent drop.
 */
@Timeout(90)
class StateBackendJobTest
{
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);
    private static final long RECORDS = 6_000;
    private static final int KEYS = 37;

    @TempDir
    static Path rocksDirectory;
    private static ActorTestKit testKit;
    /** The most RocksDB directories seen at once by a function's open (set per test run). */
    private static final AtomicLong DIRECTORIES_SEEN = new AtomicLong();

    @BeforeAll
    static void start()
    {
        testKit = ActorTestKit.create(ConfigFactory.parseString(
                "millrace.runtime.state.rocksdb.directory = \"" + rocksDirectory.toString().replace("\\", "/") + "\"\n"
                    + "millrace.runtime.state.rocksdb.block-cache-size = 1 MiB\n")
            .withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void shutdown()
    {
        testKit.shutdownTestKit();
    }

    /** Counts how many values a key saw. */
    static final class Count implements AggregateFunction<Long, Long, Long>
    {
        @Override
        public Long createAccumulator()
        {
            return 0L;
        }

        @Override
        public Long add(final Long value, final Long accumulator)
        {
            return accumulator + 1;
        }

        @Override
        public Long getResult(final Long accumulator)
        {
            return accumulator;
        }

        @Override
        public Long merge(final Long a, final Long b)
        {
            return a + b;
        }
    }

    /**
     * Keeps every kind of state per key and reports it once at the end of input (an event-time timer fired by
     * the final watermark): order-independent facts, so the result does not depend on how the two source
     * instances interleave.
     */
    static final class AllStates extends KeyedProcessFunction<Long, Long, String>
    {
        private ValueState<Long> max;
        private ListState<Long> seen;
        private MapState<Long, Long> byResidue;
        private ReducingState<Long> sum;
        private AggregatingState<Long, Long> count;

        @Override
        public void open(final RuntimeContext context)
        {
            max = context.getState(new ValueStateDescriptor<>("max", Long.class));
            seen = context.getListState(new ListStateDescriptor<>("seen", Long.class));
            byResidue = context.getMapState(new MapStateDescriptor<>("by-residue", Long.class, Long.class));
            sum = context.getReducingState(new ReducingStateDescriptor<>("sum", Long::sum, Long.class));
            count = context.getAggregatingState(new AggregatingStateDescriptor<>("count", new Count()));
            DIRECTORIES_SEEN.accumulateAndGet(countDirectories(), Math::max);
        }

        @Override
        public void processElement(final Long value, final Context<Long> context, final Collector<String> out)
        {
            final Long current = max.value();
            max.update(current == null ? value : Math.max(current, value));
            seen.add(value);
            final Long residueCount = byResidue.get(value % 3);
            byResidue.put(value % 3, residueCount == null ? 1 : residueCount + 1);
            sum.add(value);
            count.add(value);
            context.timerService().registerEventTimeTimer(1_000_000L);
        }

        @Override
        public void onTimer(final long timestampMs, final OnTimerContext<Long> context, final Collector<String> out)
        {
            final List<Long> values = new ArrayList<>(seen.get());
            values.sort(null);
            final Map<Long, Long> residues = new TreeMap<>();
            byResidue.entries().forEach(entry -> residues.put(entry.getKey(), entry.getValue()));
            out.collect(summary(context.getCurrentKey(), max.value(), values, residues, sum.get(), count.get()));
        }
    }

    /** Stores a value with a lambda in it: Kryo writes it but cannot read it back. */
    static final class StoresALambda extends KeyedProcessFunction<Long, Long, String>
    {
        /** The value. */
        record Holder(long value, Supplier<String> describe)
        {
        }

        private ValueState<Holder> state;

        @Override
        public void open(final RuntimeContext context)
        {
            state = context.getState(new ValueStateDescriptor<>("holder", Holder.class));
        }

        @Override
        public void processElement(final Long value, final Context<Long> context, final Collector<String> out)
        {
            state.update(new Holder(value, () -> "value " + value));
            out.collect("stored " + value);
        }
    }

    private static String summary(final long key, final Long max, final List<Long> values, final Map<Long, Long> residues,
        final Long sum, final Long count)
    {
        return key + " max=" + max + " values=" + values + " residues=" + residues + " sum=" + sum + " count=" + count;
    }

    private static List<String> expected()
    {
        final Map<Long, List<Long>> byKey = new TreeMap<>();
        for (long i = 0; i < RECORDS; i++)
        {
            byKey.computeIfAbsent(i % KEYS, k -> new ArrayList<>()).add(i);
        }
        final List<String> expected = new ArrayList<>();
        for (final Map.Entry<Long, List<Long>> key : byKey.entrySet())
        {
            final Map<Long, Long> residues = new TreeMap<>();
            long sum = 0;
            for (final long value : key.getValue())
            {
                residues.merge(value % 3, 1L, Long::sum);
                sum += value;
            }
            expected.add(summary(key.getKey(), key.getValue().get(key.getValue().size() - 1), key.getValue(), residues,
                sum, (long) key.getValue().size()));
        }
        expected.sort(null);
        return expected;
    }

    private static JobResult runAllStates(final StateBackend backend, final CollectingSink<String> sink)
        throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2).stateBackend(backend);
        job.fromGenerator(RECORDS, i -> i).keyBy(i -> i % KEYS).process(AllStates::new).sinkTo(sink);
        return LocalJobRunner.submit(testKit.system(), job.build("all-states")).await(JOB_TIMEOUT);
    }

    @Test
    void everyStateTypeShouldGiveTheIndependentResultOnTheHeap() throws Exception
    {
        final CollectingSink<String> sink = new CollectingSink<>();
        final JobResult result = runAllStates(StateBackends.heap(), sink);
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        final List<String> actual = new ArrayList<>(sink.results());
        actual.sort(null);
        assertEquals(expected(), actual);
    }

    @Test
    void everyStateTypeShouldGiveTheIndependentResultOnRocksDbAndRemoveItsDirectories() throws Exception
    {
        DIRECTORIES_SEEN.set(0);
        final CollectingSink<String> sink = new CollectingSink<>();
        final JobResult result = runAllStates(StateBackends.rocksDb(), sink);
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        final List<String> actual = new ArrayList<>(sink.results());
        actual.sort(null);
        assertEquals(expected(), actual);
        assertTrue(DIRECTORIES_SEEN.get() >= 1, "the configured directory held the instances' databases while running");
        awaitNoDirectories();
    }

    @Test
    void aStateValueTheSerializerCannotWriteShouldFailTheJobOnEitherBackend() throws Exception
    {
        for (final StateBackend backend : List.of(StateBackends.heap(), StateBackends.rocksDb()))
        {
            final CollectingSink<String> sink = new CollectingSink<>();
            final JobBuilder job = JobBuilder.create().setParallelism(2).stateBackend(backend);
            job.fromGenerator(1_000, i -> i).keyBy(i -> i % 5).process(StoresALambda::new).sinkTo(sink);
            final JobResult result = LocalJobRunner.submit(testKit.system(), job.build("lambda-state"))
                .await(JOB_TIMEOUT);
            assertEquals(JobState.FAILED, result.state(), backend.describe());
            final StateSerializationException failure = assertInstanceOf(StateSerializationException.class,
                result.failure(), backend.describe());
            assertTrue(failure.getMessage().contains("'holder'")
                && failure.getMessage().contains(StoresALambda.Holder.class.getName()), failure.getMessage());
            assertEquals(List.of(), sink.results(), backend.describe() + ": no record passed the failing write");
        }
        awaitNoDirectories();
    }

    @Test
    void theJobGraphShouldNameItsStateBackend()
    {
        final JobBuilder job = JobBuilder.create().stateBackend(StateBackends.rocksDb());
        job.fromGenerator(10, i -> i).keyBy(i -> i).reduce(Long::sum).sinkTo(new CollectingSink<>());
        assertTrue(job.build("described").describe().contains("state rocksdb"), job.build("described").describe());
        final JobBuilder heap = JobBuilder.create();
        heap.fromGenerator(10, i -> i).sinkTo(new CollectingSink<>());
        assertTrue(heap.build("heap").describe().contains("state heap"));
    }

    private static long countDirectories()
    {
        try (Stream<Path> children = Files.list(rocksDirectory))
        {
            return children.count();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    /** Instances close their backends in PostStop, which may follow the job's result by a moment. */
    private static void awaitNoDirectories()
    {
        testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () ->
        {
            assertEquals(0, countDirectories(), "every RocksDB directory was deleted");
            return null;
        });
    }
}
