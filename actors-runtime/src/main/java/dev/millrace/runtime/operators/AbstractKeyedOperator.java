package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.KeySelector;
import dev.millrace.runtime.api.RuntimeContext;
import dev.millrace.runtime.api.TimerService;
import dev.millrace.runtime.state.AggregatingState;
import dev.millrace.runtime.state.AggregatingStateDescriptor;
import dev.millrace.runtime.state.KeyedStateBackend;
import dev.millrace.runtime.state.KeyGroupRangeAssignment;
import dev.millrace.runtime.state.ListState;
import dev.millrace.runtime.state.ListStateDescriptor;
import dev.millrace.runtime.state.MapState;
import dev.millrace.runtime.state.MapStateDescriptor;
import dev.millrace.runtime.state.ReducingState;
import dev.millrace.runtime.state.ReducingStateDescriptor;
import dev.millrace.runtime.state.StateBackendParameters;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of operators after {@code keyBy}: extracts each record's key, scopes keyed state to it, and owns the
 * instance's event-time and processing-time timers. Timers fire with their key set as the current key.
 *
 * <p>Keyed state lives in the backend the job chose ({@link OperatorContext#stateBackend()}), closed with
 * the operator.
 *
 * <p>State snapshot tree: {@code HashMap{"keyed" -> backend tree, "eventTimers" -> ArrayList<Timer>,
 * "processingTimers" -> ArrayList<Timer>}}; a restore keeps only timers whose key is in this instance's
 * key groups, like the keyed state.
 *
 * <p>Threading: confined to the instance's actor.
 *
 * @param <K>   key type
 * @param <IN>  input type
 * @param <OUT> output type
 */
public abstract class AbstractKeyedOperator<K, IN, OUT> extends StreamOperator<IN, OUT>
{
    /** Namespace of user timers (window timers use the window). */
    public static final String USER_TIMER_NAMESPACE = "user";

    private final KeySelector<IN, K> keySelector;
    /** The instance's keyed state. */
    protected KeyedStateBackend backend;
    /** Event-time timers. */
    protected final InternalTimers eventTimers = new InternalTimers();
    /** Processing-time timers. */
    protected final InternalTimers processingTimers = new InternalTimers();
    private Object pendingRestore;

    /**
     * @param keySelector the key of each record (the same as the exchange's)
     */
    protected AbstractKeyedOperator(final KeySelector<IN, K> keySelector)
    {
        this.keySelector = keySelector;
    }

    @Override
    public void setup(final OperatorContext operatorContext, final Output<OUT> operatorOutput)
    {
        super.setup(operatorContext, operatorOutput);
        backend = operatorContext.stateBackend().createKeyedStateBackend(new StateBackendParameters(
            operatorContext.operatorName(), operatorContext.subtaskIndex(), operatorContext.maxParallelism(),
            operatorContext.keyGroupRange(), operatorContext.processingTime()::currentTimeMillis));
        if (pendingRestore != null)
        {
            applyRestore(pendingRestore);
            pendingRestore = null;
        }
    }

    @Override
    public final void processElement(final IN value, final long timestampMs) throws Exception
    {
        final K key = keySelector.getKey(value);
        backend.setCurrentKey(key);
        processKeyed(key, value, timestampMs);
    }

    /**
     * @param key         the record's key, already the current key
     * @param value       the record
     * @param timestampMs its event time
     * @throws Exception fails the job
     */
    protected abstract void processKeyed(K key, IN value, long timestampMs) throws Exception;

    /**
     * @param timer a due event-time timer; its key is the current key
     * @throws Exception fails the job
     */
    protected void onEventTime(final Timer timer) throws Exception
    {
    }

    /**
     * @param timer a due processing-time timer; its key is the current key
     * @throws Exception fails the job
     */
    protected void onProcessingTime(final Timer timer) throws Exception
    {
    }

    @Override
    public void processWatermark(final long watermarkMs) throws Exception
    {
        currentWatermark = watermarkMs;
        Timer timer;
        while ((timer = eventTimers.pollDue(watermarkMs)) != null)
        {
            backend.setCurrentKey(timer.key());
            onEventTime(timer);
        }
        output.emitWatermark(watermarkMs);
    }

    /**
     * @param timer a processing-time timer to register (for the current key)
     */
    protected void registerProcessingTimer(final Timer timer)
    {
        if (processingTimers.register(timer))
        {
            context.processingTime().registerTimer(timer.timestampMs(), this::fireProcessingTimers);
        }
    }

    private void fireProcessingTimers(final long timeMs) throws Exception
    {
        final long now = Math.max(timeMs, context.processingTime().currentTimeMillis());
        Timer timer;
        while ((timer = processingTimers.pollDue(now)) != null)
        {
            backend.setCurrentKey(timer.key());
            onProcessingTime(timer);
        }
    }

    /**
     * @return the keyed state backend (for tests and harnesses)
     */
    public KeyedStateBackend backend()
    {
        return backend;
    }

    /**
     * @param namespace timers registered through it use this namespace
     * @return a timer service scoped to the current key
     */
    protected TimerService timerService(final Object namespace)
    {
        return new TimerService()
        {
            @Override
            public long currentProcessingTime()
            {
                return context.processingTime().currentTimeMillis();
            }

            @Override
            public long currentWatermark()
            {
                return currentWatermark;
            }

            @Override
            public void registerEventTimeTimer(final long timeMs)
            {
                eventTimers.register(new Timer(timeMs, backend.currentKey(), namespace));
            }

            @Override
            public void registerProcessingTimeTimer(final long timeMs)
            {
                registerProcessingTimer(new Timer(timeMs, backend.currentKey(), namespace));
            }

            @Override
            public void deleteEventTimeTimer(final long timeMs)
            {
                eventTimers.delete(new Timer(timeMs, backend.currentKey(), namespace));
            }

            @Override
            public void deleteProcessingTimeTimer(final long timeMs)
            {
                processingTimers.delete(new Timer(timeMs, backend.currentKey(), namespace));
            }
        };
    }

    /**
     * @return a runtime context whose state comes from this operator's backend
     */
    protected RuntimeContext runtimeContext()
    {
        return new RuntimeContext()
        {
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
                return backend.getValueState(descriptor);
            }

            @Override
            public <T> ListState<T> getListState(final ListStateDescriptor<T> descriptor)
            {
                return backend.getListState(descriptor);
            }

            @Override
            public <UK, UV> MapState<UK, UV> getMapState(final MapStateDescriptor<UK, UV> descriptor)
            {
                return backend.getMapState(descriptor);
            }

            @Override
            public <T> ReducingState<T> getReducingState(final ReducingStateDescriptor<T> descriptor)
            {
                return backend.getReducingState(descriptor);
            }

            @Override
            public <I, A, O> AggregatingState<I, O> getAggregatingState(
                final AggregatingStateDescriptor<I, A, O> descriptor)
            {
                return backend.getAggregatingState(descriptor);
            }
        };
    }

    @Override
    public void close()
    {
        if (backend != null)
        {
            backend.close();
        }
    }

    @Override
    public Object snapshotState()
    {
        final HashMap<String, Object> tree = new HashMap<>();
        tree.put("keyed", backend.snapshotTree());
        tree.put("eventTimers", eventTimers.snapshot());
        tree.put("processingTimers", processingTimers.snapshot());
        return tree;
    }

    @Override
    public void restoreState(final Object state)
    {
        if (backend == null)
        {
            pendingRestore = state;
        }
        else
        {
            applyRestore(state);
        }
    }

    @SuppressWarnings("unchecked")
    private void applyRestore(final Object state)
    {
        final Map<String, Object> tree = (Map<String, Object>) state;
        backend.restoreTree((Map<String, Object>) tree.get("keyed"), true);
        eventTimers.restore(owned((List<Timer>) tree.get("eventTimers")));
        processingTimers.restore(owned((List<Timer>) tree.get("processingTimers")));
        for (final Timer timer : processingTimers.snapshot())
        {
            context.processingTime().registerTimer(timer.timestampMs(), this::fireProcessingTimers);
        }
    }

    private List<Timer> owned(final List<Timer> timers)
    {
        final List<Timer> owned = new ArrayList<>();
        for (final Timer timer : timers)
        {
            final int keyGroup = KeyGroupRangeAssignment.keyGroupFor(timer.key(), context.maxParallelism());
            if (backend.keyGroupRange().contains(keyGroup))
            {
                owned.add(timer);
            }
        }
        return owned;
    }
}
