package dev.millrace.benchmarks.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.millrace.runtime.examples.nexmark.Event;
import dev.millrace.runtime.examples.nexmark.NexmarkGenerator;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

/**
 * The Flink side of {@code bench nexmark}, run by the benchmark as a child JVM whose class path is
 * {@code target/flink-lib/} (Flink, actors-runtime for the Nexmark generator, and this job's thin jar): one query on a
 * local mini cluster, a warm-up run and then the measured runs, each a fresh bounded job, and one line
 * {@value #RESULT_PREFIX} that the parent parses.
 *
 * <p>Arguments: {@code query events parallelism rounds warmupEvents}. Settings: heap state backend ({@code hashmap}),
 * object reuse on, no checkpoints, the REST endpoint on a free port. The time of a run is Flink's own net runtime of the
 * job (submission to finish, task deployment included), so the mini cluster's start, which Millrace has no equivalent
 * of, is not counted.
 *
 * <p>The source: {@code fromSequence(0, events - 1)}, whose enumerator splits the range into one contiguous split per
 * instance, mapped (chained, no exchange) to event numbers so that instance {@code s} of {@code p} generates the events
 * {@code s, s + p, s + 2p, ...} as Millrace's GeneratorSource does. Each instance thus emits its events in (nearly)
 * event-time order, and the watermarks advance alike on both systems. The mapping is a bijection of {@code [0, events)}
 * whatever the splits, so the events are the same in any case.
 */
public final class FlinkNexmarkMain
{
    /** The line the parent awaits: {@code NEXMARK-RESULT <query> events=<n> results=<n> ns=<ns>,<ns>,...}. */
    public static final String RESULT_PREFIX = "NEXMARK-RESULT ";

    private FlinkNexmarkMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length != 5)
        {
            System.err.println("usage: FlinkNexmarkMain query events parallelism rounds warmupEvents");
            System.exit(2);
        }
        final String query = args[0];
        final long events = Long.parseLong(args[1]);
        final int parallelism = Integer.parseInt(args[2]);
        final int rounds = Integer.parseInt(args[3]);
        final long warmupEvents = Long.parseLong(args[4]);
        if (warmupEvents > 0)
        {
            run(query, warmupEvents, parallelism);
        }
        final List<Long> nanos = new ArrayList<>();
        long results = -1;
        for (int round = 0; round < rounds; round++)
        {
            final JobExecutionResult result = run(query, events, parallelism);
            final long count = result.<Long>getAccumulatorResult(CountResults.ACCUMULATOR);
            if (results >= 0 && count != results)
            {
                throw new IllegalStateException(query + ": " + count + " results in round " + (round + 1) + ", " + results + " before");
            }
            results = count;
            nanos.add(result.getNetRuntime(java.util.concurrent.TimeUnit.NANOSECONDS));
        }
        final StringBuilder line = new StringBuilder(RESULT_PREFIX).append(query).append(" events=").append(events)
            .append(" results=").append(results).append(" ns=");
        for (int i = 0; i < nanos.size(); i++)
        {
            line.append(i == 0 ? "" : ",").append(nanos.get(i));
        }
        System.out.println(line);
        System.out.flush();
    }

    private static JobExecutionResult run(final String query, final long events, final int parallelism) throws Exception
    {
        if (events % parallelism != 0)
        {
            throw new IllegalArgumentException("events (" + events + ") must be a multiple of the parallelism");
        }
        final Configuration config = new Configuration();
        config.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        config.set(PipelineOptions.OBJECT_REUSE, true);
        config.set(RestOptions.BIND_PORT, "0");
        final StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, config);
        final NexmarkGenerator generator = NexmarkGenerator.defaults();
        final DataStream<Event> source = env.fromSequence(0, events - 1)
            .map(new GenerateEvent(events / parallelism, parallelism)).returns(TypeInformation.of(Event.class))
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forBoundedOutOfOrderness(
                    java.time.Duration.ofMillis(generator.maxOutOfOrdernessMs()))
                .withTimestampAssigner((event, previous) -> event.dateTime()));
        FlinkNexmarkQueries.query(query, source)
            .process(new CountResults<>()).returns(Long.class)
            .sinkTo(new DiscardingSink<>());
        return env.execute(String.format(Locale.ROOT, "nexmark %s %,d events", query, events));
    }

    /** Split index to event number: instance s of p (split s) generates events s, s + p, s + 2p, ... */
    static final class GenerateEvent implements MapFunction<Long, Event>
    {
        private static final long serialVersionUID = 1L;
        private static final NexmarkGenerator GENERATOR = NexmarkGenerator.defaults();
        private final long perSplit;
        private final int parallelism;

        GenerateEvent(final long perSplit, final int parallelism)
        {
            this.perSplit = perSplit;
            this.parallelism = parallelism;
        }

        @Override
        public Event map(final Long index)
        {
            final long i = index;
            return GENERATOR.event((i % perSplit) * parallelism + i / perSplit);
        }
    }

    /** Counts the query's results in an accumulator and emits nothing (the discarding sink after it sees no records). */
    static final class CountResults<T> extends ProcessFunction<T, Long>
    {
        static final String ACCUMULATOR = "results";
        private static final long serialVersionUID = 1L;
        private transient LongCounter counter;

        @Override
        public void open(final OpenContext openContext)
        {
            counter = new LongCounter();
            getRuntimeContext().addAccumulator(ACCUMULATOR, counter);
        }

        @Override
        public void processElement(final T value, final Context context, final Collector<Long> out)
        {
            counter.add(1L);
        }
    }
}
