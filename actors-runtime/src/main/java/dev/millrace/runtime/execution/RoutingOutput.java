package dev.millrace.runtime.execution;

import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.operators.Output;
import java.util.List;
import java.util.Map;

/**
 * An operator's {@link Output} inside an instance: main-output records to the main targets, side-output
 * records to the targets of their tag, watermarks and status to all targets.
 */
final class RoutingOutput implements Output<Object>
{
    private final ElementTarget[] mainTargets;
    private final Map<OutputTag<?>, List<ElementTarget>> sideTargets;
    private final ElementTarget[] allTargets;

    RoutingOutput(final List<ElementTarget> main, final Map<OutputTag<?>, List<ElementTarget>> side,
        final List<ElementTarget> all)
    {
        this.mainTargets = main.toArray(new ElementTarget[0]);
        this.sideTargets = side;
        this.allTargets = all.toArray(new ElementTarget[0]);
    }

    @Override
    public void collect(final Object record, final long timestampMs)
    {
        for (final ElementTarget target : mainTargets)
        {
            target.record(record, timestampMs);
        }
    }

    @Override
    public <X> void collect(final OutputTag<X> tag, final X record, final long timestampMs)
    {
        final List<ElementTarget> targets = sideTargets.get(tag);
        if (targets != null)
        {
            for (final ElementTarget target : targets)
            {
                target.record(record, timestampMs);
            }
        }
    }

    @Override
    public void emitWatermark(final long watermarkMs)
    {
        for (final ElementTarget target : allTargets)
        {
            target.watermark(watermarkMs);
        }
    }

    @Override
    public void emitStatus(final boolean idle)
    {
        for (final ElementTarget target : allTargets)
        {
            target.status(idle);
        }
    }
}
