package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.KeySelector;
import dev.millrace.runtime.api.KeyedProcessFunction;
import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.api.TimeDomain;
import dev.millrace.runtime.api.TimerService;

/**
 * Runs a {@link KeyedProcessFunction}: keyed state, timers of both domains, side outputs. Records emitted
 * from {@code onTimer} carry the timer's timestamp.
 *
 * @param <K> key type
 * @param <I> input type
 * @param <O> output type
 */
public final class KeyedProcessOperator<K, I, O> extends AbstractKeyedOperator<K, I, O>
    implements KeyedProcessFunction.OnTimerContext<K>
{
    private final KeyedProcessFunction<K, I, O> function;
    private TimestampedCollector<O> collector;
    private TimerService timerService;
    private long timestampMs;
    private TimeDomain timeDomain;

    /**
     * @param keySelector the stream's key
     * @param function    the user function, this instance's own object
     */
    public KeyedProcessOperator(final KeySelector<I, K> keySelector, final KeyedProcessFunction<K, I, O> function)
    {
        super(keySelector);
        this.function = function;
    }

    @Override
    public void open() throws Exception
    {
        collector = new TimestampedCollector<>(output);
        timerService = timerService(USER_TIMER_NAMESPACE);
        function.open(runtimeContext());
    }

    @Override
    protected void processKeyed(final K key, final I value, final long timestamp) throws Exception
    {
        timestampMs = timestamp;
        timeDomain = null;
        collector.setTimestamp(timestamp);
        function.processElement(value, this, collector);
    }

    @Override
    protected void onEventTime(final Timer timer) throws Exception
    {
        fire(timer, TimeDomain.EVENT_TIME);
    }

    @Override
    protected void onProcessingTime(final Timer timer) throws Exception
    {
        fire(timer, TimeDomain.PROCESSING_TIME);
    }

    private void fire(final Timer timer, final TimeDomain domain) throws Exception
    {
        timestampMs = timer.timestampMs();
        timeDomain = domain;
        collector.setTimestamp(domain == TimeDomain.EVENT_TIME ? timer.timestampMs() : Long.MIN_VALUE);
        function.onTimer(timer.timestampMs(), this, collector);
    }

    @Override
    public long timestamp()
    {
        return timestampMs;
    }

    @Override
    @SuppressWarnings("unchecked")
    public K getCurrentKey()
    {
        return (K) backend.currentKey();
    }

    @Override
    public TimerService timerService()
    {
        return timerService;
    }

    @Override
    public <X> void output(final OutputTag<X> tag, final X value)
    {
        output.collect(tag, value, timestampMs);
    }

    @Override
    public TimeDomain timeDomain()
    {
        return timeDomain;
    }
}
