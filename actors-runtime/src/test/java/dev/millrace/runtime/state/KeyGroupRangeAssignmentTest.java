package dev.millrace.runtime.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Key groups map to contiguous ranges that cover every group exactly once, consistently with the index function. */
class KeyGroupRangeAssignmentTest
{
    @Test
    void shouldCoverEveryKeyGroupWithContiguousRangesConsistentWithTheOperatorIndex()
    {
        for (final int maxParallelism : new int[] {1, 7, 128, 1000})
        {
            for (int parallelism = 1; parallelism <= Math.min(maxParallelism, 64); parallelism++)
            {
                int next = 0;
                for (int subtask = 0; subtask < parallelism; subtask++)
                {
                    final KeyGroupRange range = KeyGroupRangeAssignment.rangeFor(maxParallelism, parallelism, subtask);
                    assertEquals(next, range.startKeyGroup());
                    for (int group = range.startKeyGroup(); group <= range.endKeyGroup(); group++)
                    {
                        assertEquals(subtask, KeyGroupRangeAssignment.operatorIndexFor(group, maxParallelism, parallelism));
                    }
                    next = range.endKeyGroup() + 1;
                }
                assertEquals(maxParallelism, next);
            }
        }
    }

    @Test
    void shouldSpreadSmallIntegerKeysOverKeyGroups()
    {
        final int[] counts = new int[128];
        for (int key = 0; key < 128_000; key++)
        {
            counts[KeyGroupRangeAssignment.keyGroupFor(key, 128)]++;
        }
        for (final int count : counts)
        {
            assertTrue(count > 800 && count < 1200, "key group load " + count + " is far from 1000");
        }
        assertEquals(KeyGroupRangeAssignment.keyGroupFor("abc", 128), KeyGroupRangeAssignment.keyGroupFor("abc", 128));
    }
}
