package dev.millrace.benchmarks;

import java.util.Arrays;

/** Small helpers for summarising repeated runs: the median, the spread, formatting. */
final class Percentiles
{
    private Percentiles()
    {
    }

    static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    static double min(final double[] values)
    {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    static double max(final double[] values)
    {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }
}
