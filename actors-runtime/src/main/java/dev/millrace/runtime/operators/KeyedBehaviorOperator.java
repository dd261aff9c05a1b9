package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.KeySelector;
import dev.millrace.runtime.api.KeyedBehaviorContext;
import dev.millrace.runtime.api.KeyedRecordToMessage;
import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.api.TimeDomain;
import dev.millrace.runtime.api.TimerService;
import dev.millrace.runtime.api.TimerToMessage;
import dev.millrace.runtime.state.AggregatingState;
import dev.millrace.runtime.state.AggregatingStateDescriptor;
import dev.millrace.runtime.state.ListState;
import dev.millrace.runtime.state.ListStateDescriptor;
import dev.millrace.runtime.state.MapState;
import dev.millrace.runtime.state.MapStateDescriptor;
import dev.millrace.runtime.state.ReducingState;
import dev.millrace.runtime.state.ReducingStateDescriptor;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;

/**
 * Runs a Pekko typed behavior per key, like an entity per key in Cluster Sharding: each record becomes a
 * message (with its key and timestamp) to its key's behavior, each timer firing a message to the timer's key's
 * behavior; the behavior emits, and uses keyed state and timers, through the {@link KeyedBehaviorContext} the
 * factory was given (this operator). Behaviors are interpreted synchronously on the instance's thread
 * ({@link BehaviorInterpreter}), so per-key order, watermarks (due timers are delivered before the watermark is
 * forwarded), back-pressure (nothing is queued: the next record waits for the behavior to return) and the
 * single-threaded state backend are those of every other keyed operator.
 *
 * <p><b>Incarnations.</b> A key's behavior is created by the factory on the key's first message, and kept in
 * memory for its next ones, up to {@code maxBehaviorsInMemory} keys per instance (least recently used first out,
 * like passivation). It is created again after it was evicted, after a restore and after a rescale, so a
 * behavior's fields and its current phase are a cache: the factory must pick the starting phase from keyed
 * state. Snapshots hold the keyed state and timers only.
 *
 * <p><b>Stopping.</b> A behavior that returns {@code Behaviors.stopped()} ends its key: the key's state in every
 * state this operator handed out, and its timers, are cleared, and the key's next message starts a new
 * behavior from the factory. {@code Behaviors.unhandled()} and exceptions fail the job (the exception is the
 * job's cause).
 *
 * @param <K>   key type
 * @param <IN>  input type
 * @param <M>   the behavior's message type
 * @param <OUT> output type
 */
public final class KeyedBehaviorOperator<K, IN, M, OUT> extends AbstractKeyedOperator<K, IN, OUT>
    implements KeyedBehaviorContext<K, OUT>
{
    /** Default of {@code maxBehaviorsInMemory}. */
    public static final int DEFAULT_MAX_BEHAVIORS_IN_MEMORY = 10_000;

    private final Function<? super KeyedBehaviorContext<K, OUT>, ? extends Behavior<M>> factory;
    private final KeyedRecordToMessage<K, IN, M> recordToMessage;
    private final TimerToMessage<K, M> timerToMessage;
    private final int maxBehaviorsInMemory;
    private final Map<String, Runnable> clearers = new LinkedHashMap<>();
    private LinkedHashMap<Object, Behavior<M>> behaviors;
    private BehaviorInterpreter<M> interpreter;
    private TimerService timerService;
    private long timestampMs = Long.MIN_VALUE;
    private boolean handling;
    private long behaviorsCreated;

    /**
     * @param keySelector          the stream's key
     * @param factory              makes a key's behavior, given this operator as its context
     * @param recordToMessage      a record as a message
     * @param timerToMessage       a timer firing as a message
     * @param maxBehaviorsInMemory how many keys' behaviors an instance keeps between messages
     */
    public KeyedBehaviorOperator(final KeySelector<IN, K> keySelector,
        final Function<? super KeyedBehaviorContext<K, OUT>, ? extends Behavior<M>> factory,
        final KeyedRecordToMessage<K, IN, M> recordToMessage, final TimerToMessage<K, M> timerToMessage,
        final int maxBehaviorsInMemory)
    {
        super(keySelector);
        if (maxBehaviorsInMemory < 1)
        {
            throw new IllegalArgumentException("maxBehaviorsInMemory must be at least 1: " + maxBehaviorsInMemory);
        }
        this.factory = factory;
        this.recordToMessage = recordToMessage;
        this.timerToMessage = timerToMessage;
        this.maxBehaviorsInMemory = maxBehaviorsInMemory;
    }

    @Override
    public void open()
    {
        interpreter = new BehaviorInterpreter<>(context.operatorName());
        timerService = timerService(USER_TIMER_NAMESPACE);
        behaviors = new LinkedHashMap<>(16, 0.75f, true)
        {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(final Map.Entry<Object, Behavior<M>> eldest)
            {
                return size() > maxBehaviorsInMemory;
            }
        };
    }

    @Override
    protected void processKeyed(final K key, final IN value, final long timestamp)
    {
        deliver(key, recordToMessage.toMessage(key, value, timestamp), timestamp);
    }

    @Override
    protected void onEventTime(final Timer timer)
    {
        fire(timer, TimeDomain.EVENT_TIME, timer.timestampMs());
    }

    @Override
    protected void onProcessingTime(final Timer timer)
    {
        fire(timer, TimeDomain.PROCESSING_TIME, Long.MIN_VALUE);
    }

    @SuppressWarnings("unchecked")
    private void fire(final Timer timer, final TimeDomain domain, final long timestamp)
    {
        final K key = (K) timer.key();
        deliver(key, timerToMessage.toMessage(key, timer.timestampMs(), domain), timestamp);
    }

    private void deliver(final K key, final M message, final long timestamp)
    {
        if (message == null)
        {
            throw new IllegalStateException("operator '" + context.operatorName() + "' turned an element of key "
                + key + " into a null message");
        }
        timestampMs = timestamp;
        handling = true;
        try
        {
            Behavior<M> current = behaviors.get(key);
            if (current == null)
            {
                behaviorsCreated++;
                current = interpreter.start(factory.apply(this), "key " + key);
                if (current == null)
                {
                    throw new IllegalStateException("the behavior of operator '" + context.operatorName()
                        + "' for key " + key + " stopped while starting, before it could handle " + message);
                }
            }
            final Behavior<M> next = interpreter.deliver(current, message, "key " + key);
            if (next == null)
            {
                behaviors.remove(key);
                endKey(key);
            }
            else
            {
                behaviors.put(key, next);
            }
        }
        finally
        {
            handling = false;
        }
    }

    private void endKey(final K key)
    {
        for (final Runnable clearer : clearers.values())
        {
            clearer.run();
        }
        eventTimers.deleteAll(key, USER_TIMER_NAMESPACE);
        processingTimers.deleteAll(key, USER_TIMER_NAMESPACE);
    }

    /** @return how many keys' behaviors this instance keeps in memory now */
    public int behaviorsInMemory()
    {
        return behaviors.size();
    }

    /** @return how many times this instance ran the factory */
    public long behaviorsCreated()
    {
        return behaviorsCreated;
    }

    private void checkHandling(final String what)
    {
        if (!handling)
        {
            throw new IllegalStateException("operator '" + context.operatorName() + "': " + what + " is only possible "
                + "while the behavior handles a message, on the instance's thread");
        }
    }

    @Override
    public void emit(final OUT record)
    {
        checkHandling("emit");
        output.collect(record, timestampMs);
    }

    @Override
    public <X> void output(final OutputTag<X> tag, final X record)
    {
        checkHandling("output");
        output.collect(tag, record, timestampMs);
    }

    @Override
    public long timestamp()
    {
        return timestampMs;
    }

    @Override
    public long currentWatermark()
    {
        return currentWatermark;
    }

    @Override
    public long currentProcessingTime()
    {
        return context.processingTime().currentTimeMillis();
    }

    @Override
    @SuppressWarnings("unchecked")
    public K currentKey()
    {
        checkHandling("currentKey");
        return (K) backend.currentKey();
    }

    @Override
    public TimerService timerService()
    {
        return timerService;
    }

    @Override
    public String operatorName()
    {
        return context.operatorName();
    }

    @Override
    public int subtaskIndex()
    {
        return context.subtaskIndex();
    }

    @Override
    public int parallelism()
    {
        return context.parallelism();
    }

    @Override
    public <T> ValueState<T> getState(final ValueStateDescriptor<T> descriptor)
    {
        final ValueState<T> state = backend.getValueState(descriptor);
        clearers.putIfAbsent(descriptor.name(), state::clear);
        return state;
    }

    @Override
    public <T> ListState<T> getListState(final ListStateDescriptor<T> descriptor)
    {
        final ListState<T> state = backend.getListState(descriptor);
        clearers.putIfAbsent(descriptor.name(), state::clear);
        return state;
    }

    @Override
    public <UK, UV> MapState<UK, UV> getMapState(final MapStateDescriptor<UK, UV> descriptor)
    {
        final MapState<UK, UV> state = backend.getMapState(descriptor);
        clearers.putIfAbsent(descriptor.name(), state::clear);
        return state;
    }

    @Override
    public <T> ReducingState<T> getReducingState(final ReducingStateDescriptor<T> descriptor)
    {
        final ReducingState<T> state = backend.getReducingState(descriptor);
        clearers.putIfAbsent(descriptor.name(), state::clear);
        return state;
    }

    @Override
    public <I, A, O> AggregatingState<I, O> getAggregatingState(final AggregatingStateDescriptor<I, A, O> descriptor)
    {
        final AggregatingState<I, O> state = backend.getAggregatingState(descriptor);
        clearers.putIfAbsent(descriptor.name(), state::clear);
        return state;
    }

    @Override
    public void restoreState(final Object state)
    {
        super.restoreState(state);
        if (behaviors != null)
        {
            behaviors.clear();
        }
    }
}
