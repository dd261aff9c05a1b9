package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.state.KeyGroupRangeAssignment;
import dev.millrace.runtime.state.KryoStateSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs one operator single-threaded, with a manual processing-time clock, collecting what it emits;
 * snapshots go through Kryo bytes like a real checkpoint would.
 *
 * @param <IN>  input type
 * @param <OUT> output type
 */
final class OperatorHarness<IN, OUT>
{
    /** An emitted element. */
    record Emitted(String tag, Object value, long timestampMs)
    {
    }

    private final StreamOperator<IN, OUT> operator;
    private final ManualTime time = new ManualTime();
    final List<Emitted> records = new ArrayList<>();
    final List<Long> watermarks = new ArrayList<>();
    final List<Boolean> statuses = new ArrayList<>();

    OperatorHarness(final StreamOperator<IN, OUT> operator, final int maxParallelism, final int parallelism,
        final int subtask, final byte[] restoreFrom) throws Exception
    {
        this.operator = operator;
        operator.setup(new OperatorContext("harness", subtask, parallelism, maxParallelism,
            KeyGroupRangeAssignment.rangeFor(maxParallelism, parallelism, subtask), time), new Output<>()
            {
                @Override
                public void collect(final OUT record, final long timestampMs)
                {
                    records.add(new Emitted(null, record, timestampMs));
                }

                @Override
                public <X> void collect(final OutputTag<X> tag, final X record, final long timestampMs)
                {
                    records.add(new Emitted(tag.id(), record, timestampMs));
                }

                @Override
                public void emitWatermark(final long watermarkMs)
                {
                    watermarks.add(watermarkMs);
                }

                @Override
                public void emitStatus(final boolean idle)
                {
                    statuses.add(idle);
                }
            });
        if (restoreFrom != null)
        {
            operator.restoreState(new KryoStateSerializer().deserialize(restoreFrom));
        }
        operator.open();
    }

    void element(final IN value, final long timestampMs) throws Exception
    {
        operator.processElement(value, timestampMs);
    }

    void watermark(final long watermarkMs) throws Exception
    {
        operator.processWatermark(watermarkMs);
    }

    void batchEnd() throws Exception
    {
        operator.onBatchEnd();
    }

    void finish() throws Exception
    {
        operator.finish();
    }

    void advanceProcessingTime(final long nowMs) throws Exception
    {
        time.advance(nowMs);
    }

    byte[] snapshot()
    {
        return new KryoStateSerializer().serialize(operator.snapshotState());
    }

    List<Object> values()
    {
        final List<Object> values = new ArrayList<>();
        for (final Emitted emitted : records)
        {
            values.add(emitted.value());
        }
        return values;
    }

    /** A clock that moves only when told, firing due callbacks in time order. */
    static final class ManualTime implements ProcessingTimeService
    {
        private final TreeMap<Long, List<Callback>> callbacks = new TreeMap<>();
        private long nowMs;

        @Override
        public long currentTimeMillis()
        {
            return nowMs;
        }

        @Override
        public void registerTimer(final long timeMs, final Callback callback)
        {
            callbacks.computeIfAbsent(timeMs, t -> new ArrayList<>()).add(callback);
        }

        void advance(final long toMs) throws Exception
        {
            while (!callbacks.isEmpty() && callbacks.firstKey() <= toMs)
            {
                final Map.Entry<Long, List<Callback>> due = callbacks.pollFirstEntry();
                nowMs = due.getKey();
                for (final Callback callback : due.getValue())
                {
                    callback.onProcessingTime(due.getKey());
                }
            }
            nowMs = toMs;
        }
    }
}
