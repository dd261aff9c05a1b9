package dev.millrace.runtime.api;

import dev.millrace.runtime.graph.Transformation;
import dev.millrace.runtime.operators.KeyedAggregateOperator;
import dev.millrace.runtime.operators.KeyedBehaviorOperator;
import dev.millrace.runtime.operators.KeyedProcessOperator;
import dev.millrace.runtime.operators.KeyedReduceOperator;
import dev.millrace.runtime.windows.CountEvictor;
import dev.millrace.runtime.windows.CountTrigger;
import dev.millrace.runtime.windows.GlobalWindow;
import dev.millrace.runtime.windows.GlobalWindows;
import dev.millrace.runtime.windows.PurgingTrigger;
import dev.millrace.runtime.windows.Window;
import dev.millrace.runtime.windows.WindowAssigner;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;

/**
 * A stream partitioned by key: each key's records go to one instance, which keeps the key's state and
 * timers. {@link #asDataStream()} gives the partitioned stream for non-keyed operations.
 *
 * @param <K> key type
 * @param <T> record type
 */
public final class KeyedStream<K, T>
{
    private final DataStream<T> partitioned;
    private final KeySelector<T, K> keySelector;

    KeyedStream(final JobBuilder job, final Transformation transformation, final KeySelector<T, K> keySelector)
    {
        this.partitioned = new DataStream<>(job, transformation);
        this.keySelector = keySelector;
    }

    /** @return the stream partitioned by key, for non-keyed operations after the exchange */
    public DataStream<T> asDataStream()
    {
        return partitioned;
    }

    /**
     * Adds a keyed operator written against the operator API directly.
     *
     * @param name    its display name
     * @param factory makes one operator per instance
     * @param <R>     output type
     * @return its output
     */
    public <R> DataStream<R> transform(final String name,
        final Supplier<? extends dev.millrace.runtime.operators.StreamOperator<T, R>> factory)
    {
        return partitioned.transform(name, factory, true);
    }

    /** @return the key selector */
    public KeySelector<T, K> keySelector()
    {
        return keySelector;
    }

    /**
     * @param function combines a key's records
     * @return the key's reduced value after each record
     */
    public DataStream<T> reduce(final ReduceFunction<T> function)
    {
        return transform("Reduce", () -> new KeyedReduceOperator<>(keySelector, function));
    }

    /**
     * @param function aggregates a key's records
     * @param <ACC>    accumulator type
     * @param <R>      result type
     * @return the key's aggregate after each record
     */
    public <ACC, R> DataStream<R> aggregate(final AggregateFunction<T, ACC, R> function)
    {
        return transform("Aggregate", () -> new KeyedAggregateOperator<>(keySelector, function));
    }

    /**
     * @param factory makes one function per instance
     * @param <R>     output type
     * @return the function's main output
     */
    public <R> DataStream<R> process(final Supplier<? extends KeyedProcessFunction<K, T, R>> factory)
    {
        return transform("KeyedProcess", () -> new KeyedProcessOperator<>(keySelector, factory.get()));
    }

    /**
     * Processes each key's records with its own Pekko typed behavior, like an actor per key: a record reaches
     * its key's behavior as the message {@code recordToMessage} makes of it (with key and timestamp), a timer
     * firing as the message {@code timerToMessage} makes; both are handled synchronously on the instance's
     * thread, so per-key order, watermarks and back-pressure are those of {@link #process}. The behavior emits,
     * and uses keyed state and timers, through the {@link KeyedBehaviorContext} its factory is given.
     *
     * <p>The factory runs on a key's first message, and again whenever the engine no longer holds the key's
     * behavior: after it stopped (which clears the key's state and timers), after a restore or rescale, and
     * when more than {@link KeyedBehaviorOperator#DEFAULT_MAX_BEHAVIORS_IN_MEMORY} keys are held. So whatever must
     * survive, including which phase the key is in, belongs in keyed state, and the factory starts the behavior
     * in the phase that state says.
     *
     * @param factory         makes a key's behavior
     * @param recordToMessage a record as a message
     * @param timerToMessage  a timer firing as a message
     * @param <M>             the behavior's message type
     * @param <R>             output type
     * @return what the behaviors emit
     */
    public <M, R> DataStream<R> processWithBehavior(final Function<KeyedBehaviorContext<K, R>, Behavior<M>> factory,
        final KeyedRecordToMessage<K, T, M> recordToMessage, final TimerToMessage<K, M> timerToMessage)
    {
        return processWithBehavior(factory, recordToMessage, timerToMessage,
            KeyedBehaviorOperator.DEFAULT_MAX_BEHAVIORS_IN_MEMORY);
    }

    /**
     * {@link #processWithBehavior(Function, KeyedRecordToMessage, TimerToMessage)} holding at most
     * {@code maxBehaviorsInMemory} keys' behaviors per instance between messages (least recently used out).
     *
     * @param factory              makes a key's behavior
     * @param recordToMessage      a record as a message
     * @param timerToMessage       a timer firing as a message
     * @param maxBehaviorsInMemory keys' behaviors held per instance, at least 1
     * @param <M>                  the behavior's message type
     * @param <R>                  output type
     * @return what the behaviors emit
     */
    public <M, R> DataStream<R> processWithBehavior(final Function<KeyedBehaviorContext<K, R>, Behavior<M>> factory,
        final KeyedRecordToMessage<K, T, M> recordToMessage, final TimerToMessage<K, M> timerToMessage,
        final int maxBehaviorsInMemory)
    {
        if (maxBehaviorsInMemory < 1)
        {
            throw new IllegalArgumentException("maxBehaviorsInMemory must be at least 1: " + maxBehaviorsInMemory);
        }
        return transform("Behavior", () -> new KeyedBehaviorOperator<>(keySelector, factory, recordToMessage,
            timerToMessage, maxBehaviorsInMemory));
    }

    /**
     * @param other a keyed stream with the same key type
     * @param <B>   its record type
     * @return both streams keyed by their own selectors, for a {@link KeyedCoProcessFunction}
     */
    public <B> KeyedConnectedStreams<K, T, B> connect(final KeyedStream<K, B> other)
    {
        return new KeyedConnectedStreams<>(TwoInputs.keyed(TwoInputs.beforePartition(this),
            TwoInputs.beforePartition(other), keySelector, other.keySelector(), "Connect"));
    }

    /**
     * @param other the right side, keyed by the same key type
     * @param <B>   its record type
     * @return the interval join, to complete with {@code between(lower, upper).process(...)}
     */
    public <B> IntervalJoin<K, T, B> intervalJoin(final KeyedStream<K, B> other)
    {
        return new IntervalJoin<>(this, other);
    }

    /**
     * @param assigner the windows of each record (time, session or global)
     * @param <W>      window type
     * @return the windowed stream, to reduce, aggregate or process per key and window
     */
    public <W extends Window> WindowedStream<K, T, W> window(final WindowAssigner<W> assigner)
    {
        return new WindowedStream<>(this, assigner);
    }

    /**
     * Tumbling count windows: each key's records in groups of {@code size}, fired and purged at every
     * {@code size}-th record. A last, incomplete group does not fire.
     *
     * @param size records per window
     * @return the windowed stream
     */
    public WindowedStream<K, T, GlobalWindow> countWindow(final long size)
    {
        return window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(size)));
    }

    /**
     * Sliding count windows: at every {@code slide}-th record of a key, a window over its last {@code size}
     * records (fewer at the start).
     *
     * @param size  records per window
     * @param slide records between firings
     * @return the windowed stream
     */
    public WindowedStream<K, T, GlobalWindow> countWindow(final long size, final long slide)
    {
        if (size < 1 || size > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("count window size must be in [1, 2^31): " + size);
        }
        return window(GlobalWindows.create()).evictor(CountEvictor.of((int) size)).trigger(CountTrigger.of(slide));
    }
}
