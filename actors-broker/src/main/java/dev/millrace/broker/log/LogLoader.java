package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.millrace.serialization.batch.RecordBatchDescriptor;

/**
 * Finds and opens the segments of a log directory when a {@link Log} opens, recovering what a crash may have left:
 * deletes temporary and orphaned files, consumes the clean-shutdown marker, trusts segments below the recovery point
 * (and the last segment after a clean shutdown) when their indexes check out, re-validates the others batch by batch,
 * truncates at the first bad batch and deletes every segment after it. The {@link Log} then takes the segments and
 * sets its offsets and checkpoints from the {@link Loaded} result.
 *
 * <p>Threading: used once, by the thread opening the log, before the log is visible to any other thread.
 */
final class LogLoader
{
    /** What loading found: the segments, oldest first (never empty), and the checkpoints as read. */
    record Loaded(LogSegment[] segments, long checkpointedStart, long checkpointedRecoveryPoint)
    {
    }

    private final Path directory;
    private final LogConfig config;
    private final LeaderEpochCache leaderEpochs;
    private final OffsetCheckpoint logStartOffsetCheckpoint;
    private final OffsetCheckpoint recoveryPointCheckpoint;
    private final OffsetCheckpoint cleanShutdownCheckpoint;

    LogLoader(
        final Path directory, final LogConfig config, final LeaderEpochCache leaderEpochs,
        final OffsetCheckpoint logStartOffsetCheckpoint, final OffsetCheckpoint recoveryPointCheckpoint,
        final OffsetCheckpoint cleanShutdownCheckpoint)
    {
        this.directory = directory;
        this.config = config;
        this.leaderEpochs = leaderEpochs;
        this.logStartOffsetCheckpoint = logStartOffsetCheckpoint;
        this.recoveryPointCheckpoint = recoveryPointCheckpoint;
        this.cleanShutdownCheckpoint = cleanShutdownCheckpoint;
    }

    /** Opens (and if needed recovers) every segment; on failure closes what it opened and rethrows. */
    Loaded load(final long nowMs, final LogSegment.RecoveryScanner scanner, final BatchHeaderReader headerReader)
        throws IOException
    {
        final List<Long> bases = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory))
        {
            for (final Path entry : entries)
            {
                final String name = entry.getFileName().toString();
                if (name.endsWith(".tmp"))
                {
                    // A checkpoint write that did not reach its rename: the old file is still the valid one.
                    Files.deleteIfExists(entry);
                }
                else if (name.endsWith(LogSegment.LOG_SUFFIX))
                {
                    final long base = parseBaseOffset(name, LogSegment.LOG_SUFFIX);
                    if (base >= 0)
                    {
                        bases.add(base);
                    }
                }
            }
        }
        bases.sort(null);
        deleteOrphanIndexes(bases);

        // The marker is consumed before anything can be appended: a crash from here on must find no marker.
        final long cleanEndOffset = cleanShutdownCheckpoint.read(-1, -1);
        if (Files.deleteIfExists(cleanShutdownCheckpoint.file()))
        {
            FileIo.fsyncDirectory(directory);
        }
        final long checkpointedStart = logStartOffsetCheckpoint.read(0, -1);
        long checkpointedRecoveryPoint = recoveryPointCheckpoint.read(0, 0);
        final List<LogSegment> loaded = new ArrayList<>();
        try
        {
            if (bases.isEmpty())
            {
                loaded.add(LogSegment.create(directory, Math.max(0, checkpointedStart), nowMs));
                checkpointedRecoveryPoint = Math.max(0, checkpointedStart);
            }
            else
            {
                final int maxEpoch = leaderEpochs.size() == 0 ? Integer.MAX_VALUE : leaderEpochs.latestEpoch();
                int minEpoch = RecordBatchDescriptor.NO_PARTITION_LEADER_EPOCH;
                boolean discardRest = false;
                for (int i = 0; i < bases.size(); i++)
                {
                    final long base = bases.get(i);
                    if (discardRest)
                    {
                        deleteSegmentFiles(base);
                        continue;
                    }
                    final boolean hasNext = i + 1 < bases.size();
                    if (hasNext && bases.get(i + 1) <= checkpointedRecoveryPoint)
                    {
                        final LogSegment trusted = LogSegment.openTrusted(directory, base, bases.get(i + 1), nowMs);
                        if (null != trusted)
                        {
                            loaded.add(trusted);
                            continue;
                        }
                    }
                    if (!hasNext && cleanEndOffset >= 0)
                    {
                        final LogSegment trusted = LogSegment.openTrustedActive(
                            directory, base, cleanEndOffset, nowMs, headerReader);
                        if (null != trusted)
                        {
                            loaded.add(trusted);
                            continue;
                        }
                    }
                    final LogSegment segment = LogSegment.openForRecovery(directory, base, nowMs);
                    final long fileSize = segment.channel().size();
                    final int validSize = segment.rebuild(scanner, config.indexIntervalBytes(), minEpoch, maxEpoch);
                    minEpoch = scanner.lastEpoch;
                    loaded.add(segment);
                    if (validSize < fileSize || (hasNext && segment.nextOffset() != bases.get(i + 1)))
                    {
                        // A torn or corrupt batch: nothing after it can be trusted to follow on.
                        discardRest = true;
                    }
                    if (hasNext && !discardRest)
                    {
                        segment.seal();
                    }
                }
                if (discardRest)
                {
                    loaded.get(loaded.size() - 1).flush();
                    FileIo.fsyncDirectory(directory);
                }
            }

        }
        catch (final IOException | RuntimeException ex)
        {
            for (final LogSegment segment : loaded)
            {
                try
                {
                    segment.close();
                }
                catch (final IOException suppressed)
                {
                    ex.addSuppressed(suppressed);
                }
            }
            throw ex;
        }

        return new Loaded(loaded.toArray(new LogSegment[0]), checkpointedStart, checkpointedRecoveryPoint);
    }

    private void deleteOrphanIndexes(final List<Long> bases) throws IOException
    {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory))
        {
            for (final Path entry : entries)
            {
                final String name = entry.getFileName().toString();
                final long base = name.endsWith(LogSegment.INDEX_SUFFIX) ? parseBaseOffset(name, LogSegment.INDEX_SUFFIX) :
                    name.endsWith(LogSegment.TIME_INDEX_SUFFIX) ? parseBaseOffset(name, LogSegment.TIME_INDEX_SUFFIX) : -1;
                if (base >= 0 && !bases.contains(base))
                {
                    Files.deleteIfExists(entry);
                }
            }
        }
    }

    private void deleteSegmentFiles(final long base) throws IOException
    {
        final String stem = LogSegment.fileStem(base);
        Files.deleteIfExists(directory.resolve(stem + LogSegment.LOG_SUFFIX));
        Files.deleteIfExists(directory.resolve(stem + LogSegment.INDEX_SUFFIX));
        Files.deleteIfExists(directory.resolve(stem + LogSegment.TIME_INDEX_SUFFIX));
    }

    private static long parseBaseOffset(final String name, final String suffix)
    {
        final String stem = name.substring(0, name.length() - suffix.length());
        if (stem.length() != 20)
        {
            return -1;
        }
        for (int i = 0; i < stem.length(); i++)
        {
            if (stem.charAt(i) < '0' || stem.charAt(i) > '9')
            {
                return -1;
            }
        }
        return Long.parseLong(stem);
    }
}
