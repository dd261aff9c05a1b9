package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.AggregateFunction;
import dev.millrace.runtime.api.KeySelector;
import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.state.MapState;
import dev.millrace.runtime.state.MapStateDescriptor;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;
import dev.millrace.runtime.windows.Evictor;
import dev.millrace.runtime.windows.MergingWindowAssigner;
import dev.millrace.runtime.windows.ProcessWindowFunction;
import dev.millrace.runtime.windows.Trigger;
import dev.millrace.runtime.windows.TriggerResult;
import dev.millrace.runtime.windows.Window;
import dev.millrace.runtime.windows.WindowAssigner;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;

/**
 * Windows on a keyed stream: the assigner puts each record into windows (merging sessions with the key's
 * open ones), the window's {@link WindowContents} take the record, and the {@link Trigger} decides, per
 * record and per timer, whether the window is evaluated (through the aggregate and the optional window
 * function, results stamped with the window's max timestamp) and whether its contents are dropped.
 *
 * <p>Lifetime: a window's contents, trigger state and merge bookkeeping are cleared by a cleanup timer at
 * {@code maxTimestamp + allowedLateness} (event time) or {@code maxTimestamp} (processing time); until
 * then a late record is added and the trigger may fire again (late firings). A record all of whose windows
 * are past cleanup is late: it goes to the late-data side output if one is set, else it is counted and
 * dropped. Processing-time windows still open when the input ends are fired then, since no more records
 * can come; windows without an end ({@code GlobalWindow}) fire only by their trigger.
 *
 * <p>State (all in the keyed backend, so snapshots carry it): the contents, one {@code MapState<W, S>} per
 * trigger state name, and for merging assigners the key's open windows.
 *
 * @param <K>   key type
 * @param <IN>  input type
 * @param <ACC> accumulator type
 * @param <V>   aggregate type
 * @param <OUT> output type
 * @param <W>   window type
 */
public final class WindowOperator<K, IN, ACC, V, OUT, W extends Window> extends AbstractKeyedOperator<K, IN, OUT>
{
    private final WindowAssigner<W> assigner;
    private final MergingWindowAssigner<W> mergingAssigner;
    private final Trigger<? super IN, ? super W> trigger;
    private final long allowedLatenessMs;
    private final AggregateFunction<IN, ACC, V> aggregate;
    private final Evictor<? super IN, ? super W> evictor;
    private final ProcessWindowFunction<V, OUT, K, W> windowFunction;
    private final OutputTag<IN> lateDataTag;
    private final WindowContext triggerContext = new WindowContext();
    private final Map<String, MapState<W, Object>> triggerStates = new HashMap<>();
    private WindowContents<IN, ACC, W> contents;
    private MapState<W, Boolean> openWindows;
    private TimestampedCollector<OUT> collector;
    private ProcessWindowFunction<V, OUT, K, W>.Context functionContext;
    private W firingWindow;
    private long droppedLateRecords;
    /** The last event-time timer a trigger registered and that is still queued, or null. */
    private Timer lastRegistered;

    /**
     * @param keySelector       the stream's key
     * @param assigner          the windows of a record
     * @param trigger           when windows fire, or null for the assigner's default
     * @param allowedLatenessMs how long after its end an event-time window still takes records
     * @param aggregate         accumulates a window's records
     * @param evictor           trims a window's records before evaluation, or null (then contents are
     *                          accumulated incrementally)
     * @param windowFunction    turns the aggregate into results, or null to emit the aggregate itself
     * @param lateDataTag       side output for late records, or null to drop them
     */
    @SuppressWarnings("unchecked")
    public WindowOperator(final KeySelector<IN, K> keySelector, final WindowAssigner<W> assigner,
        final Trigger<? super IN, ? super W> trigger, final long allowedLatenessMs,
        final AggregateFunction<IN, ACC, V> aggregate, final Evictor<? super IN, ? super W> evictor,
        final ProcessWindowFunction<V, OUT, K, W> windowFunction, final OutputTag<IN> lateDataTag)
    {
        super(keySelector);
        if (allowedLatenessMs < 0)
        {
            throw new IllegalArgumentException("allowed lateness must not be negative: " + allowedLatenessMs + " ms");
        }
        this.assigner = assigner;
        this.mergingAssigner = assigner instanceof MergingWindowAssigner<W> merging ? merging : null;
        this.trigger = trigger == null ? (Trigger<? super IN, ? super W>) assigner.defaultTrigger() : trigger;
        if (mergingAssigner != null && !this.trigger.canMerge())
        {
            throw new IllegalArgumentException("trigger " + this.trigger.getClass().getSimpleName() + " cannot be "
                + "used with merging (session) windows: it does not support merging");
        }
        this.allowedLatenessMs = allowedLatenessMs;
        this.aggregate = aggregate;
        this.evictor = evictor;
        this.windowFunction = windowFunction;
        this.lateDataTag = lateDataTag;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open()
    {
        if (evictor == null)
        {
            contents = new AccumulatingContents<>(backend.getMapState(new MapStateDescriptor<>("window-contents",
                (Class<W>) (Class<?>) Window.class, (Class<ACC>) (Class<?>) Object.class)), aggregate);
        }
        else
        {
            contents = new EvictingContents<>(backend.getMapState(new MapStateDescriptor<>("window-contents",
                (Class<W>) (Class<?>) Window.class, (Class<ArrayList<IN>>) (Class<?>) ArrayList.class)), aggregate,
                evictor);
        }
        if (mergingAssigner != null)
        {
            openWindows = backend.getMapState(new MapStateDescriptor<>("window-set",
                (Class<W>) (Class<?>) Window.class, Boolean.class));
        }
        collector = new TimestampedCollector<>(output);
        if (windowFunction != null)
        {
            functionContext = windowFunction.new Context()
            {
                @Override
                public W window()
                {
                    return firingWindow;
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
                public <X> void output(final OutputTag<X> tag, final X value)
                {
                    output.collect(tag, value, firingWindow.maxTimestamp());
                }
            };
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void processKeyed(final K key, final IN value, final long timestampMs) throws Exception
    {
        if (assigner.isEventTime())
        {
            checkTimestamp(value, timestampMs, context.operatorName(), "event-time windows");
        }
        final Collection<W> assigned = assigner.assignWindows(value, timestampMs,
            assigner.isEventTime() ? Long.MIN_VALUE : context.processingTime().currentTimeMillis());
        boolean skipped = true;
        for (final W assignedWindow : assigned)
        {
            final W window = mergingAssigner == null ? assignedWindow : mergeIntoOpenWindows(assignedWindow);
            if (isWindowLate(window))
            {
                if (openWindows != null)
                {
                    // A session that grew into a window already past cleanup: retire it with what merged into it.
                    openWindows.remove(window);
                    contents.clear(window);
                    triggerContext.window = window;
                    ((Trigger<IN, W>) trigger).clear(window, triggerContext);
                }
                continue;
            }
            skipped = false;
            final boolean first = contents.add(window, value);
            triggerContext.window = window;
            apply(key, window, ((Trigger<IN, W>) trigger).onElement(value, timestampMs, window, triggerContext));
            if (first || mergingAssigner != null)
            {
                // A window's cleanup time never changes: one registration per window (merged ones are new windows).
                registerCleanupTimer(key, window);
            }
        }
        if (skipped && assigner.isEventTime() && timestampMs <= currentWatermark)
        {
            if (lateDataTag != null)
            {
                output.collect(lateDataTag, value, timestampMs);
            }
            else
            {
                droppedLateRecords++;
            }
        }
    }

    /**
     * Refuses a record that event-time logic cannot place: one without a timestamp, or with a negative one
     * (which a source may emit without an assigner in between).
     *
     * @param value        the record
     * @param timestampMs  its timestamp
     * @param operatorName the operator, for the message
     * @param what         what needs event time, for the message
     */
    static void checkTimestamp(final Object value, final long timestampMs, final String operatorName,
        final String what)
    {
        if (timestampMs == Long.MIN_VALUE)
        {
            throw new IllegalStateException("operator " + operatorName + " received a record without a timestamp; "
                + "assign timestamps with assignTimestampsAndWatermarks(...) before " + what);
        }
        if (timestampMs < 0)
        {
            throw new IllegalArgumentException("record " + value + " has the negative timestamp " + timestampMs
                + " (operator " + operatorName + "); event time must be epoch milliseconds >= 0");
        }
    }

    /** Merges a new window with the key's open ones; returns the window the record belongs to now. */
    @SuppressWarnings("unchecked")
    private W mergeIntoOpenWindows(final W newWindow) throws Exception
    {
        final LinkedHashSet<W> all = new LinkedHashSet<>();
        for (final Map.Entry<W, Boolean> entry : openWindows.entries())
        {
            all.add(entry.getKey());
        }
        all.add(newWindow);
        final List<Collection<W>> groups = new ArrayList<>();
        final List<W> results = new ArrayList<>();
        mergingAssigner.mergeWindows(all, (toBeMerged, mergeResult) ->
        {
            groups.add(new ArrayList<>(toBeMerged));
            results.add(mergeResult);
        });
        W actual = newWindow;
        for (int i = 0; i < groups.size(); i++)
        {
            final W mergeResult = results.get(i);
            final List<W> mergedAway = new ArrayList<>();
            for (final W window : groups.get(i))
            {
                if (window.equals(newWindow))
                {
                    actual = mergeResult;
                }
                if (!window.equals(mergeResult))
                {
                    mergedAway.add(window);
                    openWindows.remove(window);
                }
            }
            openWindows.put(mergeResult, Boolean.TRUE);
            contents.mergeInto(mergeResult, mergedAway);
            triggerContext.window = mergeResult;
            triggerContext.mergedWindows = mergedAway;
            ((Trigger<IN, W>) trigger).onMerge(mergeResult, triggerContext);
            for (final W window : mergedAway)
            {
                triggerContext.window = window;
                ((Trigger<IN, W>) trigger).clear(window, triggerContext);
                deleteCleanupTimer(window);
            }
        }
        openWindows.put(actual, Boolean.TRUE);
        return actual;
    }

    @Override
    protected void onEventTime(final Timer timer) throws Exception
    {
        // The timer left the queue: a later registration of the same one must not be skipped.
        lastRegistered = null;
        onTimer(timer, true);
    }

    @Override
    protected void onProcessingTime(final Timer timer) throws Exception
    {
        onTimer(timer, false);
    }

    @SuppressWarnings("unchecked")
    private void onTimer(final Timer timer, final boolean eventTime) throws Exception
    {
        final W window = (W) timer.namespace();
        if (openWindows != null && !openWindows.contains(window))
        {
            return;
        }
        triggerContext.window = window;
        final Trigger<IN, W> t = (Trigger<IN, W>) trigger;
        final TriggerResult result = eventTime
            ? t.onEventTime(timer.timestampMs(), window, triggerContext)
            : t.onProcessingTime(timer.timestampMs(), window, triggerContext);
        apply((K) timer.key(), window, result);
        if (eventTime == assigner.isEventTime() && timer.timestampMs() == cleanupTime(window))
        {
            contents.clear(window);
            t.clear(window, triggerContext);
            if (openWindows != null)
            {
                openWindows.remove(window);
            }
        }
    }

    private void apply(final K key, final W window, final TriggerResult result) throws Exception
    {
        if (result.isFire())
        {
            final ACC accumulator = contents.get(window);
            if (accumulator != null)
            {
                emit(key, window, accumulator);
            }
        }
        if (result.isPurge())
        {
            contents.clear(window);
        }
    }

    @SuppressWarnings("unchecked")
    private void emit(final K key, final W window, final ACC accumulator) throws Exception
    {
        final V result = aggregate.getResult(accumulator);
        collector.setTimestamp(window.maxTimestamp());
        if (windowFunction == null)
        {
            collector.collect((OUT) result);
        }
        else
        {
            firingWindow = window;
            windowFunction.process(key, functionContext, List.of(result), collector);
        }
    }

    /** Processing-time windows still open when the input ends fire now: no record can join them any more. */
    @Override
    public void finish() throws Exception
    {
        Timer timer;
        while ((timer = processingTimers.pollDue(Long.MAX_VALUE)) != null)
        {
            backend.setCurrentKey(timer.key());
            onProcessingTime(timer);
        }
    }

    private boolean isWindowLate(final W window)
    {
        return assigner.isEventTime() && cleanupTime(window) <= currentWatermark;
    }

    private long cleanupTime(final W window)
    {
        if (!assigner.isEventTime())
        {
            return window.maxTimestamp();
        }
        final long cleanup = window.maxTimestamp() + allowedLatenessMs;
        return cleanup >= window.maxTimestamp() ? cleanup : Long.MAX_VALUE;
    }

    private void registerCleanupTimer(final K key, final W window)
    {
        final long cleanup = cleanupTime(window);
        if (cleanup == Long.MAX_VALUE)
        {
            return;
        }
        if (assigner.isEventTime())
        {
            eventTimers.register(new Timer(cleanup, key, window));
        }
        else
        {
            registerProcessingTimer(new Timer(cleanup, key, window));
        }
    }

    private void deleteCleanupTimer(final W window)
    {
        lastRegistered = null;
        final Timer timer = new Timer(cleanupTime(window), backend.currentKey(), window);
        if (assigner.isEventTime())
        {
            eventTimers.delete(timer);
        }
        else
        {
            processingTimers.delete(timer);
        }
    }

    @SuppressWarnings("unchecked")
    private MapState<W, Object> triggerState(final String name)
    {
        return triggerStates.computeIfAbsent(name, n -> backend.getMapState(new MapStateDescriptor<>("trigger/" + n,
            (Class<W>) (Class<?>) Window.class, Object.class)));
    }

    /**
     * @return late records dropped because no late-data side output was set
     */
    public long droppedLateRecords()
    {
        return droppedLateRecords;
    }

    /** The trigger's view: the current key (the backend's) and {@link #window}. */
    private final class WindowContext implements Trigger.OnMergeContext
    {
        private W window;
        private List<W> mergedWindows = List.of();

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
            final Object key = backend.currentKey();
            // Triggers register their timer for every record (registration is idempotent); skipping a repeat of
            // the last registration saves a timer object and a hash lookup per record on the hot path.
            if (lastRegistered != null && lastRegistered.timestampMs() == timeMs && lastRegistered.key().equals(key)
                && lastRegistered.namespace().equals(window))
            {
                return;
            }
            lastRegistered = new Timer(timeMs, key, window);
            eventTimers.register(lastRegistered);
        }

        @Override
        public void registerProcessingTimeTimer(final long timeMs)
        {
            registerProcessingTimer(new Timer(timeMs, backend.currentKey(), window));
        }

        @Override
        public void deleteEventTimeTimer(final long timeMs)
        {
            lastRegistered = null;
            eventTimers.delete(new Timer(timeMs, backend.currentKey(), window));
        }

        @Override
        public void deleteProcessingTimeTimer(final long timeMs)
        {
            processingTimers.delete(new Timer(timeMs, backend.currentKey(), window));
        }

        @Override
        @SuppressWarnings("unchecked")
        public <S> ValueState<S> getPartitionedState(final ValueStateDescriptor<S> descriptor)
        {
            final MapState<W, Object> state = triggerState(descriptor.name());
            final W scope = window;
            return new ValueState<>()
            {
                @Override
                public S value()
                {
                    return (S) state.get(scope);
                }

                @Override
                public void update(final S value)
                {
                    if (value == null)
                    {
                        state.remove(scope);
                    }
                    else
                    {
                        state.put(scope, value);
                    }
                }

                @Override
                public void clear()
                {
                    state.remove(scope);
                }
            };
        }

        @Override
        @SuppressWarnings("unchecked")
        public <S> void mergePartitionedState(final ValueStateDescriptor<S> descriptor, final BinaryOperator<S> merge)
        {
            final MapState<W, Object> state = triggerState(descriptor.name());
            S merged = (S) state.get(window);
            for (final W mergedWindow : mergedWindows)
            {
                final S value = (S) state.get(mergedWindow);
                if (value != null)
                {
                    merged = merged == null ? value : merge.apply(merged, value);
                }
            }
            if (merged != null)
            {
                state.put(window, merged);
            }
        }
    }
}
