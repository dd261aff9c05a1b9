package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.KeySelector;
import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.api.ProcessJoinFunction;
import dev.millrace.runtime.state.MapState;
import dev.millrace.runtime.state.MapStateDescriptor;
import java.util.ArrayList;
import java.util.Map;

/**
 * An interval join of two keyed inputs (tagged by side): a left record at {@code l} and a right record at
 * {@code r} with equal keys are joined when {@code l + lower <= r <= l + upper}. Each side's records wait in
 * keyed state ({@code MapState<timestamp, records>}) until the watermark passes the last time a partner could
 * have: a left record until {@code l + upper}, a right one until {@code r - lower}; one event-time timer at
 * that time removes them. A record at or before the watermark can no longer meet all its partners: it is
 * late, and goes to the side's late-data output if set, else it is counted and dropped. Results carry the
 * later of the two timestamps.
 *
 * @param <K> key type
 * @param <A> left type
 * @param <B> right type
 * @param <R> result type
 */
public final class IntervalJoinOperator<K, A, B, R> extends AbstractKeyedOperator<K, TaggedUnion<A, B>, R>
    implements ProcessJoinFunction.Context
{
    private final long lowerMs;
    private final long upperMs;
    private final ProcessJoinFunction<A, B, R> function;
    private final OutputTag<A> leftLateTag;
    private final OutputTag<B> rightLateTag;
    private MapState<Long, ArrayList<A>> left;
    private MapState<Long, ArrayList<B>> right;
    private TimestampedCollector<R> collector;
    private long leftTimestampMs;
    private long rightTimestampMs;
    private long droppedLateRecords;

    /**
     * @param keySelector  the key of both sides' records
     * @param lowerMs      lower bound of {@code r - l}, inclusive
     * @param upperMs      upper bound of {@code r - l}, inclusive
     * @param function     receives the pairs; this instance's own object
     * @param leftLateTag  side output for late left records, or null
     * @param rightLateTag side output for late right records, or null
     */
    public IntervalJoinOperator(final KeySelector<TaggedUnion<A, B>, K> keySelector, final long lowerMs,
        final long upperMs, final ProcessJoinFunction<A, B, R> function, final OutputTag<A> leftLateTag,
        final OutputTag<B> rightLateTag)
    {
        super(keySelector);
        if (lowerMs > upperMs)
        {
            throw new IllegalArgumentException("interval join lower bound " + lowerMs + " ms is above its upper bound "
                + upperMs + " ms");
        }
        this.lowerMs = lowerMs;
        this.upperMs = upperMs;
        this.function = function;
        this.leftLateTag = leftLateTag;
        this.rightLateTag = rightLateTag;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open()
    {
        left = backend.getMapState(new MapStateDescriptor<>("interval-join-left", Long.class,
            (Class<ArrayList<A>>) (Class<?>) ArrayList.class));
        right = backend.getMapState(new MapStateDescriptor<>("interval-join-right", Long.class,
            (Class<ArrayList<B>>) (Class<?>) ArrayList.class));
        collector = new TimestampedCollector<>(output);
    }

    @Override
    protected void processKeyed(final K key, final TaggedUnion<A, B> value, final long timestampMs) throws Exception
    {
        WindowOperator.checkTimestamp(value.isOne() ? value.one() : value.two(), timestampMs, context.operatorName(),
            "an interval join (on both inputs)");
        if (timestampMs <= currentWatermark)
        {
            if (value.isOne() && leftLateTag != null)
            {
                output.collect(leftLateTag, value.one(), timestampMs);
            }
            else if (!value.isOne() && rightLateTag != null)
            {
                output.collect(rightLateTag, value.two(), timestampMs);
            }
            else
            {
                droppedLateRecords++;
            }
            return;
        }
        if (value.isOne())
        {
            final A record = value.one();
            for (final Map.Entry<Long, ArrayList<B>> entry : right.entries())
            {
                final long rightTime = entry.getKey();
                if (rightTime >= timestampMs + lowerMs && rightTime <= timestampMs + upperMs)
                {
                    for (final B partner : entry.getValue())
                    {
                        emit(record, timestampMs, partner, rightTime);
                    }
                }
            }
            add(left, timestampMs, record);
            eventTimers.register(new Timer(timestampMs + upperMs, key, USER_TIMER_NAMESPACE));
        }
        else
        {
            final B record = value.two();
            for (final Map.Entry<Long, ArrayList<A>> entry : left.entries())
            {
                final long leftTime = entry.getKey();
                if (timestampMs >= leftTime + lowerMs && timestampMs <= leftTime + upperMs)
                {
                    for (final A partner : entry.getValue())
                    {
                        emit(partner, leftTime, record, timestampMs);
                    }
                }
            }
            add(right, timestampMs, record);
            eventTimers.register(new Timer(timestampMs - lowerMs, key, USER_TIMER_NAMESPACE));
        }
    }

    private static <T> void add(final MapState<Long, ArrayList<T>> side, final long timestampMs, final T record)
    {
        ArrayList<T> records = side.get(timestampMs);
        if (records == null)
        {
            records = new ArrayList<>();
        }
        records.add(record);
        side.put(timestampMs, records);
    }

    private void emit(final A leftRecord, final long leftTime, final B rightRecord, final long rightTime)
        throws Exception
    {
        leftTimestampMs = leftTime;
        rightTimestampMs = rightTime;
        collector.setTimestamp(Math.max(leftTime, rightTime));
        function.processElement(leftRecord, rightRecord, this, collector);
    }

    /** The watermark passed the last time a partner could come: left records of {@code t - upper} and right
     * records of {@code t + lower} (whichever registered this timer) can be forgotten. */
    @Override
    protected void onEventTime(final Timer timer)
    {
        left.remove(timer.timestampMs() - upperMs);
        right.remove(timer.timestampMs() + lowerMs);
    }

    @Override
    public long leftTimestamp()
    {
        return leftTimestampMs;
    }

    @Override
    public long rightTimestamp()
    {
        return rightTimestampMs;
    }

    @Override
    public long timestamp()
    {
        return Math.max(leftTimestampMs, rightTimestampMs);
    }

    @Override
    public <X> void output(final OutputTag<X> tag, final X value)
    {
        output.collect(tag, value, timestamp());
    }

    /** @return late records dropped because their side had no late-data output */
    public long droppedLateRecords()
    {
        return droppedLateRecords;
    }
}
