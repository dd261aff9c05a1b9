package dev.millrace.runtime.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The combined watermark is the minimum over active channels; idle channels do not hold it back. */
class WatermarkValveTest
{
    private final List<String> events = new ArrayList<>();
    private final WatermarkValve valve = new WatermarkValve(3, new WatermarkValve.Listener()
    {
        @Override
        public void onWatermark(final long watermarkMs)
        {
            events.add("wm " + watermarkMs);
        }

        @Override
        public void onStatus(final boolean idle)
        {
            events.add(idle ? "idle" : "active");
        }
    });

    @Test
    void shouldAdvanceToTheMinimumOverChannels()
    {
        valve.inputWatermark(0, 10);
        valve.inputWatermark(1, 5);
        assertEquals(List.of(), events, "channel 2 has no watermark yet");
        valve.inputWatermark(2, 7);
        valve.inputWatermark(1, 20);
        valve.inputWatermark(0, 8);
        assertEquals(List.of("wm 5", "wm 7"), events);
        assertEquals(7, valve.currentWatermark());
    }

    @Test
    void shouldIgnoreIdleChannelsAndGoIdleWhenAllAre()
    {
        valve.inputWatermark(0, 10);
        valve.inputWatermark(1, 30);
        valve.inputStatus(2, true);
        assertEquals(List.of("wm 10"), events, "channel 2 idle: min over channels 0 and 1");
        valve.inputStatus(0, true);
        assertEquals(List.of("wm 10", "wm 30"), events);
        valve.inputStatus(1, true);
        assertEquals(List.of("wm 10", "wm 30", "idle"), events);
        valve.inputWatermark(2, 40);
        assertEquals(List.of("wm 10", "wm 30", "idle", "active", "wm 40"), events);
    }

    @Test
    void shouldTreatAnEndedChannelAsAtTheEndOfTime()
    {
        valve.inputWatermark(0, 10);
        valve.inputWatermark(1, 10);
        valve.inputEnded(2);
        assertEquals(List.of("wm 10"), events);
        valve.inputEnded(0);
        valve.inputEnded(1);
        assertEquals(List.of("wm 10", "wm " + Watermarks.END_OF_TIME), events);
    }
}
