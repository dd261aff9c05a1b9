package dev.millrace.runtime.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.api.CollectingSink;
import dev.millrace.runtime.api.CoProcessFunction;
import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.DataStream;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.KeyedCoProcessFunction;
import dev.millrace.runtime.api.KeyedProcessFunction;
import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.api.ProcessFunction;
import dev.millrace.runtime.api.ProcessJoinFunction;
import dev.millrace.runtime.api.RuntimeContext;
import dev.millrace.runtime.api.Source;
import dev.millrace.runtime.api.SourceReader;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;
import dev.millrace.runtime.time.WatermarkGenerator;
import dev.millrace.runtime.time.WatermarkOutput;
import dev.millrace.runtime.time.WatermarkStrategy;
import dev.millrace.runtime.windows.TumblingEventTimeWindows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two-input operations in running jobs at parallelism 2: connect with a co-process function, connect keyed
 * both sides with state and timers, a window join and an interval join (each compared with a nested loop in
 * plain Java), and the two-input operator's event time being the minimum of both inputs' watermarks.
 */
@Timeout(60)
class TwoInputsTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();

    /** An order: (customer, amount, event time). */
    record Order(String customer, long amount, long timestampMs)
    {
    }

    /** A payment: (customer, amount, event time). */
    record Payment(String customer, long amount, long timestampMs)
    {
    }

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    private static JobResult run(final JobBuilder job) throws Exception
    {
        final JobResult result = LocalJobRunner.submit(TEST_KIT.system(), job.build("two-inputs"))
            .await(Duration.ofSeconds(30));
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        return result;
    }

    private static Order order(final long i)
    {
        return new Order("c" + (i * 13 % 7), i % 50 + 1, i * 25 + (i % 3) * 10);
    }

    private static Payment payment(final long i)
    {
        return new Payment("c" + (i * 11 % 7), i % 20 + 1, i * 60 + (i % 4) * 15);
    }

    private static DataStream<Order> orders(final JobBuilder job, final int count)
    {
        return job.fromGenerator(count, TwoInputsTest::order)
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Order>forBoundedOutOfOrderness(Duration.ofMillis(50))
                .withTimestampAssigner((order, previous) -> order.timestampMs()));
    }

    private static DataStream<Payment> payments(final JobBuilder job, final int count)
    {
        return job.fromGenerator(count, TwoInputsTest::payment)
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Payment>forBoundedOutOfOrderness(Duration.ofMillis(50))
                .withTimestampAssigner((payment, previous) -> payment.timestampMs()));
    }

    private static <T> Map<T, Integer> multiset(final List<T> values)
    {
        final Map<T, Integer> counts = new HashMap<>();
        for (final T value : values)
        {
            counts.merge(value, 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void shouldProcessBothInputsOfConnectedStreamsWithSideOutputs() throws Exception
    {
        final OutputTag<Long> big = new OutputTag<>("big-payments");
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<String> out = new CollectingSink<>();
        final CollectingSink<Long> bigPayments = new CollectingSink<>();
        final DataStream<String> both = orders(job, 300).connect(payments(job, 200))
            .process(() -> new CoProcessFunction<Order, Payment, String>()
            {
                @Override
                public void processElement1(final Order value, final ProcessFunction.Context context,
                    final Collector<String> collector)
                {
                    collector.collect("order " + value.customer() + " " + value.amount() + "@" + context.timestamp());
                }

                @Override
                public void processElement2(final Payment value, final ProcessFunction.Context context,
                    final Collector<String> collector)
                {
                    collector.collect("payment " + value.customer() + " " + value.amount());
                    if (value.amount() > 15)
                    {
                        context.output(big, value.amount());
                    }
                }
            });
        both.sinkTo(out);
        both.getSideOutput(big).sinkTo(bigPayments);
        run(job);
        final List<String> expected = new ArrayList<>();
        final List<Long> expectedBig = new ArrayList<>();
        for (long i = 0; i < 300; i++)
        {
            expected.add("order " + order(i).customer() + " " + order(i).amount() + "@" + order(i).timestampMs());
        }
        for (long i = 0; i < 200; i++)
        {
            expected.add("payment " + payment(i).customer() + " " + payment(i).amount());
            if (payment(i).amount() > 15)
            {
                expectedBig.add(payment(i).amount());
            }
        }
        assertEquals(multiset(expected), multiset(out.results()));
        assertEquals(multiset(expectedBig), multiset(bigPayments.results()));
    }

    /** Per customer: ordered total minus paid total, reported by a timer when the input ends. */
    static final class Balance extends KeyedCoProcessFunction<String, Order, Payment, String>
    {
        private ValueState<Long> balance;

        @Override
        public void open(final RuntimeContext context)
        {
            balance = context.getState(new ValueStateDescriptor<>("balance", Long.class));
        }

        private void add(final long amount, final KeyedProcessFunction.Context<String> context)
        {
            final Long current = balance.value();
            balance.update((current == null ? 0 : current) + amount);
            context.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        }

        @Override
        public void processElement1(final Order value, final KeyedProcessFunction.Context<String> context,
            final Collector<String> out)
        {
            add(value.amount(), context);
        }

        @Override
        public void processElement2(final Payment value, final KeyedProcessFunction.Context<String> context,
            final Collector<String> out)
        {
            add(-value.amount(), context);
        }

        @Override
        public void onTimer(final long timestampMs, final KeyedProcessFunction.OnTimerContext<String> context,
            final Collector<String> out)
        {
            out.collect(context.getCurrentKey() + " " + balance.value());
        }
    }

    @Test
    void shouldShareKeyedStateAndTimersOfBothInputs() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<String> viaConnectedKeyBy = new CollectingSink<>();
        final CollectingSink<String> viaKeyedStreams = new CollectingSink<>();
        final DataStream<Order> orders = orders(job, 700);
        final DataStream<Payment> payments = payments(job, 400);
        orders.connect(payments).keyBy(Order::customer, Payment::customer).process(Balance::new)
            .sinkTo(viaConnectedKeyBy);
        orders.keyBy(Order::customer).connect(payments.keyBy(Payment::customer)).process(Balance::new)
            .sinkTo(viaKeyedStreams);
        run(job);
        final Map<String, Long> balances = new HashMap<>();
        for (long i = 0; i < 700; i++)
        {
            balances.merge(order(i).customer(), order(i).amount(), Long::sum);
        }
        for (long i = 0; i < 400; i++)
        {
            balances.merge(payment(i).customer(), -payment(i).amount(), Long::sum);
        }
        final List<String> expected = new ArrayList<>();
        balances.forEach((customer, balance) -> expected.add(customer + " " + balance));
        assertEquals(multiset(expected), multiset(viaConnectedKeyBy.results()));
        assertEquals(multiset(expected), multiset(viaKeyedStreams.results()));
    }

    @Test
    void shouldJoinBothInputsPerKeyAndTumblingWindow() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<String> joined = new CollectingSink<>();
        orders(job, 600).join(payments(job, 250))
            .where(Order::customer).equalTo(Payment::customer)
            .window(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
            .apply((order, payment) -> order.customer() + " " + order.timestampMs() + "/" + payment.timestampMs())
            .sinkTo(joined);
        run(job);
        final List<String> expected = new ArrayList<>();
        for (long i = 0; i < 600; i++)
        {
            final Order order = order(i);
            for (long j = 0; j < 250; j++)
            {
                final Payment payment = payment(j);
                if (order.customer().equals(payment.customer())
                    && order.timestampMs() / 1_000 == payment.timestampMs() / 1_000)
                {
                    expected.add(order.customer() + " " + order.timestampMs() + "/" + payment.timestampMs());
                }
            }
        }
        assertTrue(expected.size() > 100, "the data should give many pairs: " + expected.size());
        assertEquals(multiset(expected), multiset(joined.results()));
    }

    @Test
    void shouldIntervalJoinPairsWithinTheBounds() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<String> joined = new CollectingSink<>();
        orders(job, 800).keyBy(Order::customer)
            .intervalJoin(payments(job, 300).keyBy(Payment::customer))
            .between(Duration.ofMillis(-100), Duration.ofMillis(250))
            .process(() -> new ProcessJoinFunction<Order, Payment, String>()
            {
                @Override
                public void processElement(final Order left, final Payment right, final Context context,
                    final Collector<String> out)
                {
                    out.collect(left.customer() + " " + left.timestampMs() + "/" + right.timestampMs() + "@"
                        + context.timestamp());
                }
            })
            .sinkTo(joined);
        run(job);
        final List<String> expected = new ArrayList<>();
        for (long i = 0; i < 800; i++)
        {
            final Order order = order(i);
            for (long j = 0; j < 300; j++)
            {
                final Payment payment = payment(j);
                final long delta = payment.timestampMs() - order.timestampMs();
                if (order.customer().equals(payment.customer()) && delta >= -100 && delta <= 250)
                {
                    expected.add(order.customer() + " " + order.timestampMs() + "/" + payment.timestampMs() + "@"
                        + Math.max(order.timestampMs(), payment.timestampMs()));
                }
            }
        }
        assertTrue(expected.size() > 100, "the data should give many pairs: " + expected.size());
        assertEquals(multiset(expected), multiset(joined.results()));
    }

    /** Watermark = the event's time − 1 after every event. */
    static final class Punctuated<T> implements WatermarkGenerator<T>
    {
        @Override
        public void onEvent(final T event, final long timestampMs, final WatermarkOutput output)
        {
            output.emitWatermark(timestampMs - 1);
        }

        @Override
        public void onPeriodicEmit(final WatermarkOutput output)
        {
        }
    }

    /** Emits one payment at time 5, then nothing until released, then ends. */
    static final class HeldSource implements Source<Payment>
    {
        private final AtomicBoolean released;

        HeldSource(final AtomicBoolean released)
        {
            this.released = released;
        }

        @Override
        public SourceReader<Payment> createReader(final int subtaskIndex, final int parallelism)
        {
            return new SourceReader<>()
            {
                private boolean emitted;

                @Override
                public int emitBatch(final Output<Payment> output, final int maxRecords)
                {
                    if (!emitted)
                    {
                        emitted = true;
                        output.collect(new Payment("c0", 1, 5), 5);
                        return 1;
                    }
                    return released.get() ? -1 : 0;
                }

                @Override
                public Object position()
                {
                    return emitted;
                }

                @Override
                public void seek(final Object position)
                {
                }
            };
        }
    }

    @Test
    void shouldHoldEventTimeAtTheSlowerInputsWatermark() throws Exception
    {
        final int count = 500;
        final AtomicBoolean released = new AtomicBoolean();
        final JobBuilder job = JobBuilder.create().setParallelism(1);
        final CollectingSink<String> out = new CollectingSink<>();
        final DataStream<Order> fast = job.fromGenerator(count, i -> new Order("c0", 1, i * 100))
            .assignTimestampsAndWatermarks(WatermarkStrategy.forGenerator(Punctuated<Order>::new)
                .withTimestampAssigner((order, previous) -> order.timestampMs()));
        final DataStream<Payment> slow = job.fromSource(new HeldSource(released), "held")
            .assignTimestampsAndWatermarks(WatermarkStrategy.forGenerator(Punctuated<Payment>::new)
                .withTimestampAssigner((payment, previous) -> payment.timestampMs()));
        fast.keyBy(Order::customer).connect(slow.keyBy(Payment::customer))
            .process(() -> new KeyedCoProcessFunction<String, Order, Payment, String>()
            {
                private int orders;

                @Override
                public void processElement1(final Order value, final KeyedProcessFunction.Context<String> context,
                    final Collector<String> collector)
                {
                    collector.collect("order@" + value.timestampMs() + " wm " + context.timerService().currentWatermark());
                    context.timerService().registerEventTimeTimer(value.timestampMs());
                    if (++orders == count)
                    {
                        // Every order is in: only now may the held input advance (and end).
                        released.set(true);
                    }
                }

                @Override
                public void processElement2(final Payment value, final KeyedProcessFunction.Context<String> context,
                    final Collector<String> collector)
                {
                }

                @Override
                public void onTimer(final long timestampMs, final KeyedProcessFunction.OnTimerContext<String> context,
                    final Collector<String> collector)
                {
                    collector.collect("timer@" + timestampMs + " released " + released.get());
                }
            })
            .sinkTo(out);
        run(job);
        int orders = 0;
        int timers = 0;
        for (final String line : out.results())
        {
            if (line.startsWith("order@"))
            {
                orders++;
                final long watermark = Long.parseLong(line.substring(line.indexOf(" wm ") + 4));
                assertTrue(watermark <= 4, "the held input's watermark is 4, so event time must not pass it: " + line);
            }
            else
            {
                timers++;
                final long time = Long.parseLong(line.substring(6, line.indexOf(' ')));
                // Orders' watermarks reached 49 899 long before the release: only the minimum holds the timers back.
                assertFalse(time > 4 && line.endsWith("released false"), "timer fired before the held input moved: "
                    + line);
            }
        }
        assertEquals(count, orders);
        assertEquals(count, timers);
    }
}
