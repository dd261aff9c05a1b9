package dev.millrace.broker.log;

import static dev.millrace.broker.log.TestBatches.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRecoveryTest
{
    private static final long START_MS = 1_700_000_000_000L;
    private static final LogConfig CONFIG = LogConfig.defaults().withSegmentBytes(4096).withIndexIntervalBytes(200);

    @TempDir
    Path dir;

    private final Random random = new Random(7);
    private final ManualClock clock = new ManualClock(START_MS);

    /** Writes a clean log of {@code count} batches in {@code source}; returns the batches as stored. */
    private List<StoredBatch> writeLog(final Path source, final int count) throws IOException
    {
        try (Log log = Log.open(source, CONFIG, clock))
        {
            for (int i = 0; i < count; i++)
            {
                appendOne(log, batch(random, clock.nowMs, 1 + random.nextInt(4)), 0);
                clock.advance(10);
            }
            return readAll(log);
        }
    }

    private static void copyDirectory(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }

    private static Path lastLogFile(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.filter(f -> f.toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    private static void deleteDirectory(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }

    @Test
    void shouldTruncateTornTailAtEveryBytePositionOfTheLastBatches() throws IOException
    {
        final Path source = dir.resolve("source");
        final List<StoredBatch> written = writeLog(source, 40);
        final Path lastLog = lastLogFile(source);
        final long lastLogSize = Files.size(lastLog);
        final long lastSegmentBase = Long.parseLong(lastLog.getFileName().toString().replace(".log", ""));

        // Positions of the batches in the last segment file.
        final List<StoredBatch> inLastSegment = new ArrayList<>();
        for (final StoredBatch batch : written)
        {
            if (batch.baseOffset() >= lastSegmentBase)
            {
                inLastSegment.add(batch);
            }
        }
        assertTrue(inLastSegment.size() >= 3, "need 3 batches in the last segment, got " + inLastSegment.size());
        final int tailBatches = 3;
        long cutFrom = lastLogSize;
        for (int i = 0; i < tailBatches; i++)
        {
            cutFrom -= inLastSegment.get(inLastSegment.size() - 1 - i).bytes().length;
        }

        final int batchesBeforeLastSegment = written.size() - inLastSegment.size();
        for (long cut = cutFrom; cut < lastLogSize; cut++)
        {
            final Path copy = dir.resolve("cut-" + cut);
            copyDirectory(source, copy);
            try (RandomAccessFile file = new RandomAccessFile(copy.resolve(lastLog.getFileName()).toFile(), "rw"))
            {
                file.setLength(cut);
            }

            // The batches wholly before the cut survive, nothing else.
            int expected = batchesBeforeLastSegment;
            long end = 0;
            for (final StoredBatch batch : inLastSegment)
            {
                end += batch.bytes().length;
                if (end <= cut)
                {
                    expected++;
                }
            }

            try (Log log = Log.open(copy, CONFIG, clock))
            {
                final List<StoredBatch> recovered = readAll(log);
                assertEquals(expected, recovered.size(), "cut at " + cut);
                for (int i = 0; i < expected; i++)
                {
                    assertArrayEquals(written.get(i).bytes(), recovered.get(i).bytes(), "batch " + i + ", cut at " + cut);
                }
                final long endOffset = written.get(expected - 1).lastOffset() + 1;
                assertEquals(endOffset, log.logEndOffset());
                assertEquals(endOffset + 1, appendOne(log, batch(random, clock.nowMs, 2), 0));
                assertEquals(expected + 1, readAll(log).size());
            }
            deleteDirectory(copy);
        }
    }

    @Test
    void shouldKeepEveryBatchBeforeTheFirstCorruptedByteAndNeverServeABadBatch() throws IOException
    {
        final Path source = dir.resolve("source");
        final List<StoredBatch> written = writeLog(source, 60);

        // Pretend only the first segment was flushed: everything after is re-validated on open.
        final long[] bases;
        try (Log log = Log.open(source, CONFIG, clock))
        {
            bases = log.segmentBaseOffsets();
        }
        assertTrue(bases.length >= 3, "need several segments");
        final long recoveryPoint = bases[1];
        new OffsetCheckpoint(source.resolve(OffsetCheckpoint.RECOVERY_POINT_FILE)).write(recoveryPoint);

        // Global byte positions of each batch across the segment files after the recovery point.
        final List<Path> files = new ArrayList<>();
        for (int s = 1; s < bases.length; s++)
        {
            files.add(source.resolve(String.format("%020d.log", bases[s])));
        }

        for (int iteration = 0; iteration < 200; iteration++)
        {
            final Path copy = dir.resolve("flip-" + iteration);
            copyDirectory(source, copy);
            // A crash, not a clean close: no marker, so the tail is re-validated.
            Files.delete(copy.resolve(OffsetCheckpoint.CLEAN_SHUTDOWN_FILE));

            final int fileIndex = random.nextInt(files.size());
            final Path target = copy.resolve(files.get(fileIndex).getFileName());
            final long size = Files.size(target);
            final int flips = 1 + random.nextInt(3);
            long firstFlip = Long.MAX_VALUE;
            try (RandomAccessFile file = new RandomAccessFile(target.toFile(), "rw"))
            {
                for (int f = 0; f < flips; f++)
                {
                    final long position = (long)(random.nextDouble() * size);
                    file.seek(position);
                    final int original = file.read();
                    file.seek(position);
                    file.write(original ^ (1 + random.nextInt(255)));
                    firstFlip = Math.min(firstFlip, position);
                }
            }

            // Index (in log order) of the batch holding the first flipped byte.
            final long segmentBase = bases[fileIndex + 1];
            int firstCorrupted = -1;
            long at = 0;
            for (int i = 0; i < written.size(); i++)
            {
                final StoredBatch batch = written.get(i);
                if (batch.baseOffset() < segmentBase || (fileIndex + 2 < bases.length && batch.baseOffset() >= bases[fileIndex + 2]))
                {
                    continue;
                }
                if (firstFlip < at + batch.bytes().length)
                {
                    firstCorrupted = i;
                    break;
                }
                at += batch.bytes().length;
            }
            assertTrue(firstCorrupted >= 0);

            try (Log log = Log.open(copy, CONFIG, clock))
            {
                // readAll validates every batch (flyweight and kafka-clients) and offset contiguity.
                final List<StoredBatch> recovered = readAll(log);
                assertEquals(firstCorrupted, recovered.size(), "iteration " + iteration + ", flip at " + firstFlip);
                for (int i = 0; i < recovered.size(); i++)
                {
                    assertArrayEquals(written.get(i).bytes(), recovered.get(i).bytes());
                }
                assertEquals(recovered.get(recovered.size() - 1).lastOffset() + 1, log.logEndOffset());
                appendOne(log, batch(random, clock.nowMs, 1), 0);
            }
            deleteDirectory(copy);
        }
    }

    @Test
    void shouldRebuildMissingOrCorruptIndexesAndStillReadCorrectly() throws IOException
    {
        final Path source = dir.resolve("source");
        final List<StoredBatch> written = writeLog(source, 80);
        final long[] bases;
        try (Log log = Log.open(source, CONFIG, clock))
        {
            bases = log.segmentBaseOffsets();
        }
        assertTrue(bases.length >= 4);
        Files.delete(source.resolve(String.format("%020d.index", bases[0])));
        Files.delete(source.resolve(String.format("%020d.timeindex", bases[1])));
        Files.write(source.resolve(String.format("%020d.index", bases[2])), new byte[]{ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 });
        try (RandomAccessFile file = new RandomAccessFile(source.resolve(String.format("%020d.timeindex", bases[2])).toFile(), "rw"))
        {
            file.seek(OffsetIndex.HEADER_LENGTH);
            file.writeLong(Long.MAX_VALUE);
        }
        try (RandomAccessFile file = new RandomAccessFile(source.resolve(String.format("%020d.index", bases[3])).toFile(), "rw"))
        {
            // A position far beyond the log: fails the sanity check.
            file.seek(OffsetIndex.HEADER_LENGTH + 4);
            file.writeInt(1 << 30);
        }

        try (Log log = Log.open(source, CONFIG, clock))
        {
            final List<StoredBatch> recovered = readAll(log);
            assertEquals(written.size(), recovered.size());
            for (final StoredBatch batch : written)
            {
                final FileRegion region = log.read(batch.lastOffset(), 1);
                assertEquals(batch.baseOffset(), region.firstOffset());
                assertArrayEquals(batch.bytes(), bytesOf(region));
            }
            assertEquals(written.get(10).baseOffset(), log.offsetForTimestamp(START_MS + 10 * 10));
        }
        for (final long base : bases)
        {
            final ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(source.resolve(String.format("%020d.index", base))));
            assertEquals(OffsetIndex.MAGIC, header.getInt(0));
            assertEquals(OffsetIndex.VERSION, header.getInt(4));
        }
    }

    @Test
    void shouldReopenACleanlyClosedLogWithoutRevalidatingAndConsumeTheMarker() throws IOException
    {
        final Path source = dir.resolve("source");
        final List<StoredBatch> written = writeLog(source, 50);
        final Path marker = source.resolve(OffsetCheckpoint.CLEAN_SHUTDOWN_FILE);
        assertTrue(Files.exists(marker));
        final long end = written.get(written.size() - 1).lastOffset() + 1;
        try (Log log = Log.open(source, CONFIG, clock))
        {
            assertFalse(Files.exists(marker), "a crash after open must not find the marker");
            assertEquals(end, log.logEndOffset());
            assertEquals(written.get(49).baseOffset(), log.offsetForTimestamp(START_MS + 49 * 10));
            assertEquals(end, appendOne(log, batch(random, clock.nowMs, 1), 0));
            assertEquals(51, readAll(log).size());
        }
        assertTrue(Files.exists(marker));
    }

    @Test
    void shouldRevalidateTheTailWhenTheCleanShutdownMarkerDisagreesWithTheFiles() throws IOException
    {
        final Path source = dir.resolve("source");
        final List<StoredBatch> written = writeLog(source, 50);
        // The marker claims more than the files hold: the tail is recovered instead of trusted.
        new OffsetCheckpoint(source.resolve(OffsetCheckpoint.CLEAN_SHUTDOWN_FILE)).write(1_000_000);
        try (Log log = Log.open(source, CONFIG, clock))
        {
            assertEquals(written.get(written.size() - 1).lastOffset() + 1, log.logEndOffset());
            assertEquals(written.size(), readAll(log).size());
        }
    }

    @Test
    void shouldRecoverACrashedLogAndTruncateEpochsBeyondTheRecoveredEnd() throws IOException
    {
        final Path live = dir.resolve("live");
        final Path crashed = dir.resolve("crashed");
        final List<StoredBatch> written;
        final long epoch2Start;
        final Log log = Log.open(live, CONFIG, clock);
        try
        {
            for (int i = 0; i < 30; i++)
            {
                appendOne(log, batch(random, clock.nowMs, 2), 1);
            }
            log.flush();
            epoch2Start = log.logEndOffset();
            for (int i = 0; i < 30; i++)
            {
                appendOne(log, batch(random, clock.nowMs, 2), 2);
            }
            written = readAll(log);
            // kill -9: the files as they are now, without a close (no marker, recovery point at the flush).
            copyDirectory(live, crashed);
        }
        finally
        {
            log.close();
        }
        assertFalse(Files.exists(crashed.resolve(OffsetCheckpoint.CLEAN_SHUTDOWN_FILE)));
        final StoredBatch firstOfEpoch2 = written.get(30);
        assertEquals(epoch2Start, firstOfEpoch2.baseOffset());

        // Tear the log inside the first batch of epoch 2.
        final Path logFile = crashed.resolve(String.format("%020d.log", segmentBaseFor(crashed, epoch2Start)));
        final long cut = positionOf(written, firstOfEpoch2, segmentBaseFor(crashed, epoch2Start)) + 5;
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "rw"))
        {
            file.setLength(cut);
        }
        try (Log recovered = Log.open(crashed, CONFIG, clock))
        {
            assertEquals(epoch2Start, recovered.logEndOffset());
            assertEquals(30, readAll(recovered).size());
            assertEquals(1, recovered.leaderEpochs().latestEpoch(), "epoch 2 started beyond the recovered end");
            assertEquals(epoch2Start, recovered.leaderEpochs().endOffsetFor(1, recovered.logEndOffset()));
        }
    }

    private static long segmentBaseFor(final Path directory, final long offset) throws IOException
    {
        long found = -1;
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final String name = file.getFileName().toString();
                if (name.endsWith(".log"))
                {
                    final long base = Long.parseLong(name.substring(0, 20));
                    if (base <= offset && base > found)
                    {
                        found = base;
                    }
                }
            }
        }
        return found;
    }

    private static long positionOf(final List<StoredBatch> batches, final StoredBatch target, final long segmentBase)
    {
        long position = 0;
        for (final StoredBatch batch : batches)
        {
            if (batch == target)
            {
                return position;
            }
            if (batch.baseOffset() >= segmentBase)
            {
                position += batch.bytes().length;
            }
        }
        throw new IllegalArgumentException("batch not found");
    }

    @Test
    void shouldRecoverFromACorruptRecoveryPointCheckpointByValidatingEverything() throws IOException
    {
        final Path source = dir.resolve("source");
        final List<StoredBatch> written = writeLog(source, 50);
        Files.write(source.resolve(OffsetCheckpoint.RECOVERY_POINT_FILE), new byte[]{ 9, 9, 9 });
        try (Log log = Log.open(source, CONFIG, clock))
        {
            assertEquals(written.size(), readAll(log).size());
            assertEquals(log.logEndOffset(), log.recoveryPoint());
        }
    }

    @Test
    void shouldDropSegmentsAfterACorruptSegmentInTheMiddle() throws IOException
    {
        final Path source = dir.resolve("source");
        final List<StoredBatch> written = writeLog(source, 60);
        final long[] bases;
        try (Log log = Log.open(source, CONFIG, clock))
        {
            bases = log.segmentBaseOffsets();
        }
        new OffsetCheckpoint(source.resolve(OffsetCheckpoint.RECOVERY_POINT_FILE)).write(0);
        final Path middle = source.resolve(String.format("%020d.log", bases[1]));
        try (RandomAccessFile file = new RandomAccessFile(middle.toFile(), "rw"))
        {
            file.setLength(file.length() - 1);
        }
        try (Log log = Log.open(source, CONFIG, clock))
        {
            assertEquals(2, log.segmentCount());
            final List<StoredBatch> recovered = readAll(log);
            int expected = 0;
            for (final StoredBatch batch : written)
            {
                if (batch.lastOffset() < recovered.get(recovered.size() - 1).lastOffset() + 1)
                {
                    expected++;
                }
            }
            assertEquals(expected, recovered.size());
            assertTrue(log.logEndOffset() < bases[2]);
            assertFalse(Files.exists(source.resolve(String.format("%020d.log", bases[2]))));
        }
    }
}
