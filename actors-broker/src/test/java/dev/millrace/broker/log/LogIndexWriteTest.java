package dev.millrace.broker.log;

import static dev.millrace.broker.log.TestBatches.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index entries of an append of several batches are written together at the end of the append: once it returns,
 * the index files hold every entry, and they stay usable across reopen and truncation.
 */
@Timeout(30)
class LogIndexWriteTest
{
    private static final long START_MS = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final Random random = new Random(7);

    @Test
    void shouldHaveEveryIndexEntryOfAMultiBatchAppendInTheFilesWhenTheAppendReturns() throws IOException
    {
        // An entry per batch (each batch is larger than the interval), more batches than wait for one write.
        final int batches = IndexFile.PENDING_ENTRIES + 6;
        final byte[][] request = new byte[batches][];
        for (int i = 0; i < batches; i++)
        {
            request[i] = batch(random, START_MS + i * 10L, 3);
        }
        final LogConfig config = LogConfig.defaults().withIndexIntervalBytes(1);
        try (Log log = Log.open(dir, config, () -> START_MS))
        {
            final UnsafeBuffer buffer = request(request);
            final AppendResult result = log.append(buffer, 0, buffer.capacity(), 0);
            assertEquals(batches * 3L - 1, result.lastOffset());

            // The first batch starts the segment and is not indexed (nothing since the last entry); every later one is.
            final ByteBuffer offsets = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(String.format("%020d.index", 0))));
            assertEquals(IndexFile.HEADER_LENGTH + (batches - 1) * 8, offsets.capacity());
            int position = request[0].length;
            for (int i = 1; i < batches; i++)
            {
                assertEquals(i * 3 + 2, offsets.getInt(IndexFile.HEADER_LENGTH + (i - 1) * 8), "entry " + i + " offset");
                assertEquals(position, offsets.getInt(IndexFile.HEADER_LENGTH + (i - 1) * 8 + 4), "entry " + i + " position");
                position += request[i].length;
            }
            final ByteBuffer times = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(String.format("%020d.timeindex", 0))));
            assertEquals(IndexFile.HEADER_LENGTH + (batches - 1) * 12, times.capacity());
            assertEquals(START_MS + (batches - 1) * 10L + 2, times.getLong(times.capacity() - 12));

            // A second append of one batch adds exactly one entry to each.
            appendOne(log, batch(random, START_MS + batches * 10L, 3), 0);
            assertEquals(IndexFile.HEADER_LENGTH + batches * 8, Files.size(dir.resolve(String.format("%020d.index", 0))));
            assertEquals(IndexFile.HEADER_LENGTH + batches * 12, Files.size(dir.resolve(String.format("%020d.timeindex", 0))));
        }
        try (Log reopened = Log.open(dir, config, () -> START_MS))
        {
            final List<StoredBatch> stored = readAll(reopened);
            assertEquals(batches + 1, stored.size());
            for (int i = 0; i < batches; i++)
            {
                assertEquals(i * 3L, stored.get(i).baseOffset());
            }
        }
    }

    @Test
    void shouldWriteWaitingEntriesBeforeTruncatingFlushingSealingOrClosing() throws IOException
    {
        final Path file = dir.resolve("00000000000000001000.index");
        final OffsetIndex index = OffsetIndex.create(file, 1000);
        for (int i = 0; i < 3; i++)
        {
            index.append(1000 + i * 10L + 9, i * 100);
        }
        assertEquals(3, index.entryCount(), "committed entries are searchable before their write");
        assertEquals(1000 + 100, index.lookup(1019) + 1000, "searched from the heap copy");
        assertEquals(IndexFile.HEADER_LENGTH, Files.size(file), "waiting for the end of the append");
        index.flush();
        assertEquals(IndexFile.HEADER_LENGTH + 3 * 8, Files.size(file));

        for (int i = 3; i < 3 + IndexFile.PENDING_ENTRIES + 1; i++)
        {
            index.append(1000 + i * 10L + 9, i * 100);
        }
        assertEquals(IndexFile.HEADER_LENGTH + (3 + IndexFile.PENDING_ENTRIES) * 8, Files.size(file),
            "a full buffer is written before the next entry goes in");
        index.truncateToPosition(500);
        assertEquals(5, index.entryCount());
        assertEquals(IndexFile.HEADER_LENGTH + 5 * 8, Files.size(file));

        index.append(1000 + 59, 500);
        index.seal();
        final OffsetIndex reloaded = OffsetIndex.load(file, 1000, 1000 + 1000, 100_000);
        assertNotNull(reloaded);
        assertEquals(6, reloaded.entryCount());
        assertEquals(500, reloaded.lookup(1000 + 59));

        final Path other = dir.resolve("00000000000000002000.index");
        final OffsetIndex closing = OffsetIndex.create(other, 2000);
        closing.append(2009, 0);
        closing.append(2019, 100);
        closing.close();
        final OffsetIndex afterClose = OffsetIndex.load(other, 2000, 3000, 100_000);
        assertNotNull(afterClose);
        assertEquals(2, afterClose.entryCount());
    }
}
