package dev.millrace.runtime.execution;

import dev.millrace.runtime.api.KeySelector;
import dev.millrace.runtime.graph.Partitioning;
import dev.millrace.runtime.state.KeyGroupRangeAssignment;
import dev.millrace.runtime.state.UserCodeException;

/**
 * The sending end of one edge in one instance: picks the channel(s) of each record by the edge's
 * partitioning; watermarks, status and end of input go to every channel.
 *
 * <p>Threading: confined to the sending instance's actor.
 */
final class RecordWriter implements ElementTarget
{
    private final int edgeId;
    private final Partitioning.Kind kind;
    private final KeySelector<Object, Object> keySelector;
    private final int maxParallelism;
    private final ChannelWriter[] channels;
    private int nextChannel;

    RecordWriter(final int edgeId, final Partitioning partitioning, final int maxParallelism,
        final ChannelWriter[] channels, final int subtaskIndex)
    {
        this.edgeId = edgeId;
        this.kind = partitioning.kind();
        this.keySelector = partitioning.keySelector();
        this.maxParallelism = maxParallelism;
        this.channels = channels;
        this.nextChannel = subtaskIndex % channels.length;
    }

    int edgeId()
    {
        return edgeId;
    }

    @Override
    public void record(final Object value, final long timestampMs)
    {
        switch (kind)
        {
            case FORWARD -> channels[0].add(Buffer.RECORD, value, timestampMs);
            case REBALANCE ->
            {
                channels[nextChannel].add(Buffer.RECORD, value, timestampMs);
                nextChannel = nextChannel + 1 == channels.length ? 0 : nextChannel + 1;
            }
            case HASH -> channels[channelOf(value)].add(Buffer.RECORD, value, timestampMs);
            case BROADCAST ->
            {
                for (final ChannelWriter channel : channels)
                {
                    channel.add(Buffer.RECORD, value, timestampMs);
                }
            }
            default -> throw new IllegalStateException("unknown partitioning " + kind);
        }
    }

    private int channelOf(final Object value)
    {
        final Object key;
        try
        {
            key = keySelector.getKey(value);
        }
        catch (final RuntimeException e)
        {
            throw e;
        }
        catch (final Exception e)
        {
            throw new UserCodeException(e);
        }
        final int keyGroup = KeyGroupRangeAssignment.keyGroupFor(key, maxParallelism);
        return KeyGroupRangeAssignment.operatorIndexFor(keyGroup, maxParallelism, channels.length);
    }

    @Override
    public void watermark(final long watermarkMs)
    {
        for (final ChannelWriter channel : channels)
        {
            channel.add(Buffer.WATERMARK, null, watermarkMs);
        }
    }

    @Override
    public void status(final boolean idle)
    {
        for (final ChannelWriter channel : channels)
        {
            channel.add(idle ? Buffer.IDLE : Buffer.ACTIVE, null, 0);
        }
    }

    void endOfInput()
    {
        for (final ChannelWriter channel : channels)
        {
            channel.add(Buffer.END_OF_INPUT, null, 0);
            channel.flush();
        }
    }

    void flush()
    {
        for (final ChannelWriter channel : channels)
        {
            channel.flush();
        }
    }

    void onCredit(final int channel, final int credits, final int consumed)
    {
        channels[channel].onCredit(credits, consumed);
    }

    boolean isDrained()
    {
        for (final ChannelWriter channel : channels)
        {
            if (!channel.isDrained())
            {
                return false;
            }
        }
        return true;
    }

    boolean isBlocked()
    {
        for (final ChannelWriter channel : channels)
        {
            if (channel.isBlocked())
            {
                return true;
            }
        }
        return false;
    }
}
