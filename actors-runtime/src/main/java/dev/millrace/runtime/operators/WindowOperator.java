package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.AggregateFunction;
import dev.millrace.runtime.api.KeySelector;
import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.state.MapState;
import dev.millrace.runtime.state.MapStateDescriptor;
import dev.millrace.runtime.windows.ProcessWindowFunction;
import dev.millrace.runtime.windows.TimeWindow;
import dev.millrace.runtime.windows.WindowAssigner;
import java.util.List;

/**
 * Event-time windows on a keyed stream, with the default event-time trigger: each record is added to the
 * accumulator of each of its windows (a {@code MapState<TimeWindow, ACC>} per key), an event-time timer at
 * the window's {@link TimeWindow#maxTimestamp()} emits the aggregate (through the optional window function)
 * and clears the window. A record is late when all its windows already fired (their max timestamp is at or
 * below the watermark): it goes to the late-data side output if one is set, else it is counted and
 * dropped.
 *
 * @param <K>   key type
 * @param <IN>  input type
 * @param <ACC> accumulator type
 * @param <V>   aggregate type
 * @param <OUT> output type
 */
public final class WindowOperator<K, IN, ACC, V, OUT> extends AbstractKeyedOperator<K, IN, OUT>
    implements ProcessWindowFunction.Context
{
    private final WindowAssigner assigner;
    private final AggregateFunction<IN, ACC, V> aggregate;
    private final ProcessWindowFunction<V, OUT, K> windowFunction;
    private final OutputTag<IN> lateDataTag;
    private MapState<TimeWindow, ACC> windows;
    private TimestampedCollector<OUT> collector;
    private TimeWindow firingWindow;
    private long droppedLateRecords;

    /**
     * @param keySelector    the stream's key
     * @param assigner       the windows of a record
     * @param aggregate      accumulates a window's records
     * @param windowFunction turns the aggregate into results, or null to emit the aggregate itself
     * @param lateDataTag    side output for late records, or null to drop them
     */
    public WindowOperator(final KeySelector<IN, K> keySelector, final WindowAssigner assigner,
        final AggregateFunction<IN, ACC, V> aggregate, final ProcessWindowFunction<V, OUT, K> windowFunction,
        final OutputTag<IN> lateDataTag)
    {
        super(keySelector);
        this.assigner = assigner;
        this.aggregate = aggregate;
        this.windowFunction = windowFunction;
        this.lateDataTag = lateDataTag;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open()
    {
        windows = backend.getMapState(new MapStateDescriptor<>("windows", TimeWindow.class,
            (Class<ACC>) (Class<?>) Object.class));
        collector = new TimestampedCollector<>(output);
    }

    @Override
    protected void processKeyed(final K key, final IN value, final long timestampMs)
    {
        if (timestampMs == Long.MIN_VALUE)
        {
            throw new IllegalStateException("window operator " + context.operatorName() + " received a record without "
                + "a timestamp; assign timestamps with assignTimestampsAndWatermarks(...) before event-time windows");
        }
        final List<TimeWindow> assigned = assigner.assignWindows(timestampMs);
        boolean added = false;
        for (final TimeWindow window : assigned)
        {
            if (window.maxTimestamp() <= currentWatermark)
            {
                continue;
            }
            final ACC current = windows.get(window);
            windows.put(window, aggregate.add(value, current == null ? aggregate.createAccumulator() : current));
            if (current == null)
            {
                eventTimers.register(new Timer(window.maxTimestamp(), key, window));
            }
            added = true;
        }
        if (!added)
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

    @Override
    @SuppressWarnings("unchecked")
    protected void onEventTime(final Timer timer) throws Exception
    {
        final TimeWindow window = (TimeWindow) timer.namespace();
        final ACC accumulator = windows.get(window);
        if (accumulator == null)
        {
            return;
        }
        windows.remove(window);
        final V result = aggregate.getResult(accumulator);
        collector.setTimestamp(window.maxTimestamp());
        if (windowFunction == null)
        {
            collector.collect((OUT) result);
        }
        else
        {
            firingWindow = window;
            windowFunction.process((K) timer.key(), this, List.of(result), collector);
        }
    }

    @Override
    public TimeWindow window()
    {
        return firingWindow;
    }

    @Override
    public long currentWatermark()
    {
        return currentWatermark;
    }

    /**
     * @return late records dropped because no late-data side output was set
     */
    public long droppedLateRecords()
    {
        return droppedLateRecords;
    }
}
