package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A small file holding one offset, replaced atomically (temporary file, fsync, rename, directory fsync): the log
 * start offset ({@value #LOG_START_OFFSET_FILE}), the recovery point ({@value #RECOVERY_POINT_FILE}) and the
 * clean-shutdown marker ({@value #CLEAN_SHUTDOWN_FILE}, the log end offset at a clean close; consumed on open) and the
 * replicated partition's high watermark ({@value #HIGH_WATERMARK_FILE}, written by the partition replica).
 *
 * <p>File layout, version {@value #VERSION}, big-endian, 20 bytes:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic 0x4D52434B "MRCK"                      |  0
 *  +---------------------------------------------------------------+
 *  |                  Format Version (int32) = 1                   |  4
 *  +---------------------------------------------------------------+
 *  |                        Offset (int64)                         |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |             CRC32C (uint32) of bytes 0..15                    | 16
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Not thread-safe: used by the log's writer only.
 */
final class OffsetCheckpoint
{
    static final String LOG_START_OFFSET_FILE = "log-start-offset.checkpoint";
    static final String RECOVERY_POINT_FILE = "recovery-point.checkpoint";
    static final String CLEAN_SHUTDOWN_FILE = "clean-shutdown.checkpoint";
    static final String HIGH_WATERMARK_FILE = "high-watermark.checkpoint";
    static final int MAGIC = 0x4D52434B;
    static final int VERSION = 1;
    static final int LENGTH = 20;

    private final Path file;
    private final ByteBuffer buffer = ByteBuffer.allocate(LENGTH);
    private final CRC32C crc = new CRC32C();

    OffsetCheckpoint(final Path file)
    {
        this.file = file;
    }

    void write(final long offset) throws IOException
    {
        buffer.clear();
        buffer.putInt(MAGIC).putInt(VERSION).putLong(offset);
        crc.reset();
        crc.update(buffer.array(), 0, 16);
        buffer.putInt((int)crc.getValue()).flip();
        FileIo.atomicWrite(file, buffer);
    }

    /**
     * The stored offset, {@code missing} when there is no file, or {@code corrupt} when the file is damaged or of
     * an unknown version (callers pick a safe fallback: both values are derived state).
     */
    long read(final long missing, final long corrupt) throws IOException
    {
        final byte[] bytes = FileIo.readSmallFile(file);
        if (null == bytes)
        {
            return missing;
        }
        if (bytes.length != LENGTH)
        {
            return corrupt;
        }
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        crc.reset();
        crc.update(bytes, 0, 16);
        if (in.getInt(0) != MAGIC || in.getInt(4) != VERSION || in.getInt(16) != (int)crc.getValue())
        {
            return corrupt;
        }
        return in.getLong(8);
    }

    Path file()
    {
        return file;
    }
}
