package dev.millrace.benchmarks.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.millrace.runtime.examples.nexmark.NexmarkGenerator;
import org.junit.jupiter.api.Test;

/**
 * The Flink source's index mapping: split s of p (a contiguous range of fromSequence) must generate the events
 * s, s + p, s + 2p, ... in that order, as Millrace's GeneratorSource instance s does.
 */
class GenerateEventTest
{
    @Test
    void shouldGiveEachSplitTheStrideOfItsInstance()
    {
        final int parallelism = 3;
        final long events = 3 * 50;
        final long perSplit = events / parallelism;
        final FlinkNexmarkMain.GenerateEvent map = new FlinkNexmarkMain.GenerateEvent(perSplit, parallelism);
        final NexmarkGenerator generator = NexmarkGenerator.defaults();
        for (int split = 0; split < parallelism; split++)
        {
            for (long k = 0; k < perSplit; k++)
            {
                assertEquals(generator.event(split + k * parallelism), map.map(split * perSplit + k),
                    "split " + split + ", element " + k);
            }
        }
    }
}
