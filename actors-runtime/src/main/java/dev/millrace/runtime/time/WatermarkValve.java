package dev.millrace.runtime.time;

/**
 * Combines the watermarks and idle flags of an instance's input channels into its event time: the minimum
 * watermark over the active channels. Idle channels do not hold time back; when every channel is idle the
 * instance's output becomes idle too (after advancing to the highest watermark any channel reached). A
 * finished channel counts as a channel at {@link Watermarks#END_OF_TIME}. The combined watermark never goes
 * back.
 *
 * <p>Threading: confined to the instance's actor.
 */
public final class WatermarkValve
{
    /** Receives changes of the combined event time and status. */
    public interface Listener
    {
        /** @param watermarkMs the new combined watermark, higher than the previous one */
        void onWatermark(long watermarkMs);

        /** @param idle whether every input channel is idle now */
        void onStatus(boolean idle);
    }

    private final long[] watermarks;
    private final boolean[] idle;
    private final Listener listener;
    private long combined = Watermarks.INITIAL;
    private boolean outputIdle;

    /**
     * @param channels number of input channels
     * @param listener receives changes
     */
    public WatermarkValve(final int channels, final Listener listener)
    {
        this.watermarks = new long[channels];
        this.idle = new boolean[channels];
        this.listener = listener;
        java.util.Arrays.fill(watermarks, Watermarks.INITIAL);
    }

    /**
     * @return the combined watermark so far
     */
    public long currentWatermark()
    {
        return combined;
    }

    /**
     * @param channel     input channel
     * @param watermarkMs its new watermark (a lower one than before is ignored)
     */
    public void inputWatermark(final int channel, final long watermarkMs)
    {
        if (idle[channel])
        {
            inputStatus(channel, false);
        }
        if (watermarkMs > watermarks[channel])
        {
            watermarks[channel] = watermarkMs;
            advance();
        }
    }

    /**
     * @param channel    input channel
     * @param channelIdle whether it is idle
     */
    public void inputStatus(final int channel, final boolean channelIdle)
    {
        if (idle[channel] == channelIdle)
        {
            return;
        }
        idle[channel] = channelIdle;
        if (allIdle())
        {
            long max = Watermarks.INITIAL;
            for (final long watermark : watermarks)
            {
                max = Math.max(max, watermark);
            }
            if (max > combined)
            {
                combined = max;
                listener.onWatermark(max);
            }
            outputIdle = true;
            listener.onStatus(true);
        }
        else
        {
            if (outputIdle)
            {
                outputIdle = false;
                listener.onStatus(false);
            }
            advance();
        }
    }

    /**
     * @param channel a channel that will send nothing more
     */
    public void inputEnded(final int channel)
    {
        idle[channel] = false;
        inputWatermark(channel, Watermarks.END_OF_TIME);
    }

    private void advance()
    {
        long min = Long.MAX_VALUE;
        boolean anyActive = false;
        for (int i = 0; i < watermarks.length; i++)
        {
            if (!idle[i])
            {
                anyActive = true;
                min = Math.min(min, watermarks[i]);
            }
        }
        if (anyActive && min > combined)
        {
            combined = min;
            listener.onWatermark(min);
        }
    }

    private boolean allIdle()
    {
        for (final boolean channelIdle : idle)
        {
            if (!channelIdle)
            {
                return false;
            }
        }
        return true;
    }
}
