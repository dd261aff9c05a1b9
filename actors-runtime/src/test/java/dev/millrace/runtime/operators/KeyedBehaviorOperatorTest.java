package dev.millrace.runtime.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.api.BehaviorContext;
import dev.millrace.runtime.api.KeyedBehaviorContext;
import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.api.TimeDomain;
import dev.millrace.runtime.state.KeyGroupRangeAssignment;
import dev.millrace.runtime.state.KryoStateSerializer;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behavior operators stepped single-threaded with one ordered record of everything they emit (records and
 * watermarks in one list, so order between them is checked), a manual clock, and snapshots through Kryo bytes.
 */
@Timeout(30)
class KeyedBehaviorOperatorTest
{
    /** The protocol of the test behaviors. */
    sealed interface Msg permits Seen, Fired
    {
    }

    record Seen(String key, String value, long timestampMs) implements Msg
    {
    }

    record Fired(String key, long timestampMs, TimeDomain domain) implements Msg
    {
    }

    /** Runs one operator, recording its output as strings in order. */
    static final class Run<IN, OUT>
    {
        final StreamOperator<IN, OUT> operator;
        final OperatorHarness.ManualTime time = new OperatorHarness.ManualTime();
        final List<String> out = new ArrayList<>();

        Run(final StreamOperator<IN, OUT> operator, final byte[] restoreFrom) throws Exception
        {
            this.operator = operator;
            operator.setup(new OperatorContext("behavior-op", 0, 1, 128,
                KeyGroupRangeAssignment.rangeFor(128, 1, 0), time), new Output<>()
                {
                    @Override
                    public void collect(final OUT record, final long timestampMs)
                    {
                        out.add(record + "@" + timestampMs);
                    }

                    @Override
                    public <X> void collect(final OutputTag<X> tag, final X record, final long timestampMs)
                    {
                        out.add(tag.id() + ":" + record + "@" + timestampMs);
                    }

                    @Override
                    public void emitWatermark(final long watermarkMs)
                    {
                        out.add("wm " + watermarkMs);
                    }

                    @Override
                    public void emitStatus(final boolean idle)
                    {
                        out.add("idle " + idle);
                    }
                });
            if (restoreFrom != null)
            {
                operator.restoreState(new KryoStateSerializer().deserialize(restoreFrom));
            }
            operator.open();
        }

        byte[] snapshot()
        {
            return new KryoStateSerializer().serialize(operator.snapshotState());
        }
    }

    private static KeyedBehaviorOperator<String, String, Msg, String> keyed(
        final Function<KeyedBehaviorContext<String, String>, Behavior<Msg>> factory, final int inMemory)
    {
        return new KeyedBehaviorOperator<>(value -> value.split(":")[0], factory, Seen::new, Fired::new, inMemory);
    }

    /**
     * Counts per key in ValueState, emits "key=count"; a value "timer" also sets an event-time timer, a value
     * "stop" stops the key's behavior.
     */
    private static Behavior<Msg> counter(final KeyedBehaviorContext<String, String> context)
    {
        final ValueState<Long> count = context.getState(new ValueStateDescriptor<>("count", Long.class));
        return Behaviors.receive(Msg.class)
            .onMessage(Seen.class, seen -> seen.value().endsWith(":stop"), seen -> Behaviors.stopped())
            .onMessage(Seen.class, seen ->
            {
                final long next = (count.value() == null ? 0 : count.value()) + 1;
                count.update(next);
                context.emit(seen.key() + "=" + next);
                if (seen.value().endsWith(":timer"))
                {
                    context.timerService().registerEventTimeTimer(seen.timestampMs() + 10);
                }
                return Behaviors.same();
            })
            .onMessage(Fired.class, fired ->
            {
                context.emit("timer " + fired.key() + " " + fired.domain() + " count " + count.value()
                    + " wm " + context.currentWatermark());
                return Behaviors.same();
            })
            .build();
    }

    @Test
    void shouldCountPerKeyInValueStateLikePlainJavaEvenWhenBehaviorsAreEvicted() throws Exception
    {
        final KeyedBehaviorOperator<String, String, Msg, String> operator = keyed(KeyedBehaviorOperatorTest::counter, 2);
        final Run<String, String> run = new Run<>(operator, null);
        final List<String> expected = new ArrayList<>();
        final Map<String, Long> counts = new HashMap<>();
        for (int i = 0; i < 1_000; i++)
        {
            final String key = "k" + (i * 7 % 11);
            run.operator.processElement(key + ":x", i);
            final long count = counts.merge(key, 1L, Long::sum);
            expected.add(key + "=" + count + "@" + i);
        }
        assertEquals(expected, run.out);
        assertEquals(2, operator.behaviorsInMemory());
        assertTrue(operator.behaviorsCreated() > 11, "evicted behaviors are re-created: " + operator.behaviorsCreated());
    }

    @Test
    void shouldDeliverADueTimerBeforeForwardingTheWatermark() throws Exception
    {
        final Run<String, String> run = new Run<>(keyed(KeyedBehaviorOperatorTest::counter, 100), null);
        run.operator.processElement("a:timer", 100);
        run.operator.processElement("b:x", 105);
        run.operator.processWatermark(109);
        run.operator.processWatermark(110);
        run.operator.processElement("a:x", 111);
        assertEquals(List.of("a=1@100", "b=1@105", "wm 109", "timer a EVENT_TIME count 1 wm 110@110", "wm 110",
            "a=2@111"), run.out);
    }

    /** Phase per key: "closed" ignores values until "open", then echoes them until "close". */
    private static Behavior<Msg> gate(final KeyedBehaviorContext<String, String> context)
    {
        final ValueState<Boolean> open = context.getState(new ValueStateDescriptor<>("open", Boolean.class));
        return Boolean.TRUE.equals(open.value()) ? opened(context, open) : closed(context, open);
    }

    private static Behavior<Msg> closed(final KeyedBehaviorContext<String, String> context,
        final ValueState<Boolean> open)
    {
        return Behaviors.receive(Msg.class)
            .onMessage(Seen.class, seen ->
            {
                if (seen.value().endsWith(":open"))
                {
                    open.update(true);
                    return opened(context, open);
                }
                return Behaviors.same();
            })
            .build();
    }

    private static Behavior<Msg> opened(final KeyedBehaviorContext<String, String> context,
        final ValueState<Boolean> open)
    {
        return Behaviors.receive(Msg.class)
            .onMessage(Seen.class, seen ->
            {
                if (seen.value().endsWith(":close"))
                {
                    open.clear();
                    return closed(context, open);
                }
                context.emit(seen.value());
                return Behaviors.same();
            })
            .build();
    }

    @Test
    void shouldChangePhasePerKeyAndResumeThePhaseFromStateAfterARestore() throws Exception
    {
        final Run<String, String> run = new Run<>(keyed(KeyedBehaviorOperatorTest::gate, 100), null);
        for (final String value : List.of("a:1", "a:open", "b:1", "a:2", "b:2", "b:open", "a:close", "a:3", "b:3"))
        {
            run.operator.processElement(value, 1);
        }
        assertEquals(List.of("a:2@1", "b:3@1"), run.out);
        final Run<String, String> restored = new Run<>(keyed(KeyedBehaviorOperatorTest::gate, 100), run.snapshot());
        restored.operator.processElement("a:4", 2);
        restored.operator.processElement("b:4", 2);
        assertEquals(List.of("b:4@2"), restored.out);
    }

    @Test
    void shouldEndTheKeyWhenItsBehaviorStopsAndStartItAfreshOnItsNextRecord() throws Exception
    {
        final KeyedBehaviorOperator<String, String, Msg, String> operator = keyed(KeyedBehaviorOperatorTest::counter,
            100);
        final Run<String, String> run = new Run<>(operator, null);
        run.operator.processElement("a:timer", 1);
        run.operator.processElement("a:x", 2);
        run.operator.processElement("b:timer", 3);
        run.operator.processElement("a:stop", 4);
        run.operator.processElement("a:x", 5);
        run.operator.processWatermark(100);
        assertEquals(List.of("a=1@1", "a=2@2", "b=1@3", "a=1@5", "timer b EVENT_TIME count 1 wm 100@13", "wm 100"),
            run.out);
        assertEquals(3, operator.behaviorsCreated());
    }

    @Test
    void shouldFailOnAMessageTheBehaviorDoesNotHandle() throws Exception
    {
        final Run<String, String> run = new Run<>(keyed(context -> Behaviors.receive(Msg.class)
            .onMessage(Seen.class, seen -> seen.value().endsWith(":ok"), seen -> Behaviors.same())
            .build(), 100), null);
        run.operator.processElement("a:ok", 1);
        final IllegalStateException failure = assertThrows(IllegalStateException.class,
            () -> run.operator.processElement("a:nope", 2));
        assertTrue(failure.getMessage().contains("'behavior-op'") && failure.getMessage().contains("key a")
            && failure.getMessage().contains("a:nope"), failure.getMessage());
    }

    @Test
    void shouldRefuseWhatWouldMakeTheBehaviorAsynchronous() throws Exception
    {
        final Run<String, String> run = new Run<>(keyed(context -> Behaviors.setup(actor ->
            Behaviors.receive(Msg.class)
                .onMessage(Seen.class, seen ->
                {
                    actor.getSelf().tell(seen);
                    return Behaviors.same();
                })
                .build()), 100), null);
        final UnsupportedOperationException failure = assertThrows(UnsupportedOperationException.class,
            () -> run.operator.processElement("a:x", 1));
        assertTrue(failure.getMessage().contains("getSelf") && failure.getMessage().contains("'behavior-op'"),
            failure.getMessage());
    }

    @Test
    void shouldRefuseToEmitOutsideMessageHandling() throws Exception
    {
        final List<BehaviorContext<String>> leaked = new ArrayList<>();
        final Run<String, String> run = new Run<>(keyed(context ->
        {
            leaked.add(context);
            return Behaviors.receive(Msg.class).onAnyMessage(message -> Behaviors.same()).build();
        }, 100), null);
        run.operator.processElement("a:x", 1);
        assertThrows(IllegalStateException.class, () -> leaked.get(0).emit("late"));
        assertEquals(List.of(), run.out);
    }

    /** An AbstractBehavior made by Behaviors.setup, with a processing-time timer and a side output. */
    static final class Echo extends AbstractBehavior<Msg>
    {
        static final OutputTag<String> FIRED = new OutputTag<>("fired");
        private final KeyedBehaviorContext<String, String> stream;

        Echo(final ActorContext<Msg> context, final KeyedBehaviorContext<String, String> stream)
        {
            super(context);
            this.stream = stream;
        }

        @Override
        public Receive<Msg> createReceive()
        {
            return newReceiveBuilder()
                .onMessage(Seen.class, this::onSeen)
                .onMessage(Fired.class, this::onFired)
                .build();
        }

        private Behavior<Msg> onSeen(final Seen seen)
        {
            getContext().getLog().debug("seen {}", seen);
            stream.emit(seen.value());
            stream.timerService().registerProcessingTimeTimer(stream.currentProcessingTime() + 50);
            return this;
        }

        private Behavior<Msg> onFired(final Fired fired)
        {
            stream.output(FIRED, fired.key() + " " + fired.domain() + " " + fired.timestampMs());
            return this;
        }
    }

    @Test
    void shouldRunAnAbstractBehaviorWithProcessingTimeTimersAndSideOutputs() throws Exception
    {
        final Run<String, String> run = new Run<>(keyed(stream -> Behaviors.setup(actor -> new Echo(actor, stream)),
            100), null);
        run.operator.processElement("a:x", 7);
        run.time.advance(49);
        run.operator.processElement("b:y", 8);
        run.time.advance(200);
        assertEquals(List.of("a:x@7", "b:y@8", "fired:a PROCESSING_TIME 50@" + Long.MIN_VALUE,
            "fired:b PROCESSING_TIME 99@" + Long.MIN_VALUE), run.out);
    }

    @Test
    void shouldRunANonKeyedBehaviorAndRestartItAfterItStops() throws Exception
    {
        final Run<String, String> run = new Run<>(new BehaviorOperator<String, String, String>(
            context -> Behaviors.setup(actor ->
            {
                context.emit("started");
                return Behaviors.receive(String.class)
                    .onMessageEquals("stop", Behaviors::stopped)
                    .onAnyMessage(value ->
                    {
                        context.emit(value + " at " + context.timestamp());
                        return Behaviors.same();
                    })
                    .build();
            }), (value, timestampMs) -> value), null);
        run.operator.processElement("a", 1);
        run.operator.processElement("stop", 2);
        run.operator.processElement("b", 3);
        run.operator.processWatermark(5);
        assertEquals(List.of("started@1", "a at 1@1", "started@3", "b at 3@3", "wm 5"), run.out);
        final IllegalStateException noState = assertThrows(IllegalStateException.class, () ->
            new Run<>(new BehaviorOperator<String, String, String>(context ->
            {
                context.getState(new ValueStateDescriptor<>("x", Long.class));
                return Behaviors.empty();
            }, (value, timestampMs) -> value), null).operator.processElement("a", 1));
        assertTrue(noState.getMessage().contains("keyBy"), noState.getMessage());
    }

    @Test
    void shouldFailWhenABehaviorStopsWhileStartingRatherThanDropTheMessage() throws Exception
    {
        final Run<String, String> run = new Run<>(keyed(context -> Behaviors.setup(actor -> Behaviors.stopped()), 100),
            null);
        final IllegalStateException failure = assertThrows(IllegalStateException.class,
            () -> run.operator.processElement("a:x", 1));
        assertTrue(failure.getMessage().contains("stopped while starting") && failure.getMessage().contains("a:x"),
            failure.getMessage());
    }

    @Test
    void shouldRefusePekkoTimersNamingTheTimerService() throws Exception
    {
        final Run<String, String> run = new Run<>(keyed(context -> Behaviors.withTimers(timers ->
        {
            timers.startSingleTimer(new Seen("a", "tick", 0), java.time.Duration.ofMillis(10));
            return Behaviors.receive(Msg.class).onAnyMessage(message -> Behaviors.same()).build();
        }), 100), null);
        final RuntimeException failure = assertThrows(RuntimeException.class,
            () -> run.operator.processElement("a:x", 1));
        assertTrue(failure.getMessage().contains("timerService") && failure.getMessage().contains("'behavior-op'"),
            failure.getClass() + ": " + failure.getMessage());
    }

    @Test
    void shouldContinueStateAndTimersExactlyAfterARestoreWithNewBehaviors() throws Exception
    {
        final Run<String, String> run = new Run<>(keyed(KeyedBehaviorOperatorTest::counter, 100), null);
        run.operator.processElement("a:timer", 10);
        run.operator.processElement("b:x", 11);
        final byte[] snapshot = run.snapshot();
        run.operator.processElement("a:x", 12);

        final KeyedBehaviorOperator<String, String, Msg, String> restoredOperator =
            keyed(KeyedBehaviorOperatorTest::counter, 100);
        final Run<String, String> restored = new Run<>(restoredOperator, snapshot);
        restored.operator.processElement("a:x", 12);
        restored.operator.processElement("b:x", 13);
        restored.operator.processWatermark(30);
        assertEquals(List.of("a=2@12", "b=2@13", "timer a EVENT_TIME count 2 wm 30@20", "wm 30"), restored.out);
        assertEquals(2, restoredOperator.behaviorsCreated());
    }
}
