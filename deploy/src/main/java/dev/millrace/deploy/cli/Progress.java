package dev.millrace.deploy.cli;

import java.io.PrintWriter;

/**
 * A one-line progress bar with the rate, redrawn in place ({@code \r}) at most every {@value #REDRAW_MS} ms:
 * {@code [##########----------]  50%  12345 records  1.2 MiB  24690 records/s}.
 *
 * <p>Threading: one thread.
 */
final class Progress
{
    private static final long REDRAW_MS = 250;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final long totalBytes;
    private final long startNs = System.nanoTime();
    private long lastDrawNs;

    Progress(final PrintWriter err, final long totalBytes)
    {
        this.err = err;
        this.totalBytes = totalBytes;
    }

    /** Redraws if it is time, or {@code last}: then draws the final state and ends the line. */
    void update(final long bytes, final long records, final boolean last)
    {
        final long nowNs = System.nanoTime();
        if (!last && nowNs - lastDrawNs < REDRAW_MS * 1_000_000L)
        {
            return;
        }
        lastDrawNs = nowNs;
        err.print('\r');
        err.print(line(bytes, records, nowNs - startNs));
        if (last)
        {
            err.println();
        }
        err.flush();
    }

    String line(final long bytes, final long records, final long elapsedNs)
    {
        final double fraction = totalBytes <= 0 ? 1.0 : Math.min(1.0, (double)bytes / totalBytes);
        final int filled = (int)Math.round(fraction * WIDTH);
        final double seconds = Math.max(1e-9, elapsedNs / 1e9);
        return "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " +
            String.format("%3d%%  %d records  %.1f MiB  %.0f records/s  %.1f MiB/s",
                Math.round(fraction * 100), records, bytes / 1048576.0, records / seconds, bytes / 1048576.0 / seconds);
    }
}
