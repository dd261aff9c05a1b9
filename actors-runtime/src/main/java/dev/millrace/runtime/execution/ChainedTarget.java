package dev.millrace.runtime.execution;

import dev.millrace.runtime.operators.StreamOperator;
import dev.millrace.runtime.state.UserCodeException;

/**
 * Hands elements to the next operator of the chain with a plain method call; a checked exception of user
 * code travels up as {@link UserCodeException} and fails the instance.
 */
final class ChainedTarget implements ElementTarget
{
    private final StreamOperator<Object, ?> operator;

    ChainedTarget(final StreamOperator<Object, ?> operator)
    {
        this.operator = operator;
    }

    @Override
    public void record(final Object value, final long timestampMs)
    {
        try
        {
            operator.processElement(value, timestampMs);
        }
        catch (final RuntimeException | Error e)
        {
            throw e;
        }
        catch (final Exception e)
        {
            throw new UserCodeException(e);
        }
    }

    @Override
    public void watermark(final long watermarkMs)
    {
        try
        {
            operator.processWatermark(watermarkMs);
        }
        catch (final RuntimeException | Error e)
        {
            throw e;
        }
        catch (final Exception e)
        {
            throw new UserCodeException(e);
        }
    }

    @Override
    public void status(final boolean idle)
    {
        operator.processStatus(idle);
    }
}
