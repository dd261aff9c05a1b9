package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.BehaviorContext;
import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.api.RecordToMessage;
import dev.millrace.runtime.api.RuntimeContext;
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
import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;

/**
 * Runs one Pekko typed behavior per instance on a non-keyed stream: each record becomes a message (with its
 * timestamp); the behavior emits through the {@link BehaviorContext} the factory was given (this operator).
 * Interpreted synchronously on the instance's thread ({@link BehaviorInterpreter}), so records keep their
 * order and watermarks pass after everything emitted before them. There is no keyed state and no timer here
 * (use {@code keyBy} first); the behavior's fields and phase are not in snapshots.
 *
 * <p>A behavior that returns {@code Behaviors.stopped()} ends its incarnation: the next record starts a new
 * behavior from the factory. {@code Behaviors.unhandled()} and exceptions fail the job.
 *
 * @param <IN>  input type
 * @param <M>   the behavior's message type
 * @param <OUT> output type
 */
public final class BehaviorOperator<IN, M, OUT> extends StreamOperator<IN, OUT> implements BehaviorContext<OUT>
{
    private final Function<? super BehaviorContext<OUT>, ? extends Behavior<M>> factory;
    private final RecordToMessage<IN, M> recordToMessage;
    private BehaviorInterpreter<M> interpreter;
    private Behavior<M> behavior;
    private long timestampMs = Long.MIN_VALUE;
    private boolean handling;
    private RuntimeContext nonKeyed;

    /**
     * @param factory         makes the instance's behavior, given this operator as its context
     * @param recordToMessage a record as a message
     */
    public BehaviorOperator(final Function<? super BehaviorContext<OUT>, ? extends Behavior<M>> factory,
        final RecordToMessage<IN, M> recordToMessage)
    {
        this.factory = factory;
        this.recordToMessage = recordToMessage;
    }

    @Override
    public void open()
    {
        interpreter = new BehaviorInterpreter<>(context.operatorName());
        nonKeyed = new NonKeyedRuntimeContext(context, "the behavior of operator ");
    }

    @Override
    public void processElement(final IN value, final long timestamp)
    {
        final M message = recordToMessage.toMessage(value, timestamp);
        if (message == null)
        {
            throw new IllegalStateException("operator '" + context.operatorName() + "' turned " + value
                + " into a null message");
        }
        timestampMs = timestamp;
        handling = true;
        try
        {
            final String whom = "subtask " + context.subtaskIndex();
            if (behavior == null)
            {
                behavior = interpreter.start(factory.apply(this), whom);
                if (behavior == null)
                {
                    throw new IllegalStateException("the behavior of operator '" + context.operatorName() + "' "
                        + whom + " stopped while starting, before it could handle " + message);
                }
            }
            behavior = interpreter.deliver(behavior, message, whom);
        }
        finally
        {
            handling = false;
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

    private void checkHandling(final String what)
    {
        if (!handling)
        {
            throw new IllegalStateException("operator '" + context.operatorName() + "': " + what + " is only possible "
                + "while the behavior handles a message, on the instance's thread");
        }
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
        return nonKeyed.getState(descriptor);
    }

    @Override
    public <T> ListState<T> getListState(final ListStateDescriptor<T> descriptor)
    {
        return nonKeyed.getListState(descriptor);
    }

    @Override
    public <K, V> MapState<K, V> getMapState(final MapStateDescriptor<K, V> descriptor)
    {
        return nonKeyed.getMapState(descriptor);
    }

    @Override
    public <T> ReducingState<T> getReducingState(final ReducingStateDescriptor<T> descriptor)
    {
        return nonKeyed.getReducingState(descriptor);
    }

    @Override
    public <A, B, C> AggregatingState<A, C> getAggregatingState(final AggregatingStateDescriptor<A, B, C> descriptor)
    {
        return nonKeyed.getAggregatingState(descriptor);
    }
}
