package dev.millrace.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.millrace.broker.log.FileRegion;
import dev.millrace.broker.log.Log;
import dev.millrace.broker.log.LogConfig;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./millrace bench storage}: the partition {@link Log}'s append and sequential-read throughput beside the
 * physical reference — raw {@link FileChannel} writes and reads of the very same batch bytes in the same directory —
 * measured in one run, alternating the two so that the machine's noise hits both alike, and printed as a table of
 * medians with the ratio ours / raw.
 *
 * <p>What each side does. Leader append ({@link Log#append}): the log validates each batch as producer input
 * (framing, magic, CRC32C over the whole batch, then every record's structure), assigns its offsets, writes it to
 * the active segment and maintains the offset and time indexes. Replica append ({@link Log#appendAsFollower}): the
 * same without the per-record walk, i.e. the storage engine's own cost. Raw writes the bytes. Read: the log finds the segment and position through its index, bounds the region to whole batches and
 * copies the region into a buffer; raw reads the same number of bytes per call. Neither side fsyncs inside the timed
 * part (the log's default flush policy leaves flushing to the OS, as Kafka's does), so both run at page-cache speed,
 * which is where the log's own overhead shows most.
 */
@Command(
    name = "storage",
    mixinStandardHelpOptions = true,
    description = "Log append/read throughput vs raw FileChannel on the same disk, in one run.")
public final class StorageBenchmark implements Callable<Integer>
{
    private static final int MIB = 1024 * 1024;

    @Option(names = "--dir", description = "Directory for the files (default: ${DEFAULT-VALUE}); removed afterwards.")
    Path dir = Path.of("data", "bench-storage");

    @Option(names = "--total-mib", description = "MiB written per measurement (default: ${DEFAULT-VALUE}).")
    int totalMib = 512;

    @Option(names = "--runs", description = "Measurements per side and batch size; the median is shown (default: ${DEFAULT-VALUE}).")
    int runs = 5;

    @Option(names = "--record-bytes", description = "Value bytes per record (default: ${DEFAULT-VALUE}).")
    int recordBytes = 100;

    @Option(names = "--batch-bytes", split = ",", description = "Batch sizes in bytes (default: ${DEFAULT-VALUE}).")
    int[] batchSizes = { 16 * 1024, 64 * 1024, MIB };

    @Option(names = "--read-bytes", description = "Bytes asked for per read call, as a consumer's fetch.max.bytes (default: ${DEFAULT-VALUE}).")
    int readBytes = MIB;

    @Override
    public Integer call() throws IOException
    {
        if (totalMib < 1 || runs < 1 || recordBytes < 1 || readBytes < 1)
        {
            System.err.println("--total-mib, --runs, --record-bytes and --read-bytes must be positive");
            return 2;
        }
        final PrintStream out = System.out;
        out.printf(Locale.ROOT, "Storage benchmark: %d-byte records, %d MiB per measurement, median of %d runs, dir %s%n",
            recordBytes, totalMib, runs, dir.toAbsolutePath());
        out.printf(Locale.ROOT, "%-9s %9s | %9s | %10s %6s %11s | %10s %6s | %9s %9s %6s%n",
            "batch", "rec/batch", "raw write", "leader", "ratio", "leader", "replica", "ratio", "raw read", "log read", "ratio");
        out.printf(Locale.ROOT, "%-9s %9s | %9s | %10s %6s %11s | %10s %6s | %9s %9s %6s%n",
            "", "", "MB/s", "MB/s", "", "records/s", "MB/s", "", "MB/s", "MB/s", "");

        Files.createDirectories(dir);
        try
        {
            for (final int batchSize : batchSizes)
            {
                measure(out, batchSize);
            }
        }
        finally
        {
            BenchFiles.deleteRecursively(dir);
        }
        return 0;
    }

    private void measure(final PrintStream out, final int batchSize) throws IOException
    {
        final BenchBatches.Batch batch = BenchBatches.build(batchSize, recordBytes, batchSize);
        final int batches = Math.max(1, (int)((long)totalMib * MIB / batch.sizeInBytes()));
        final long bytes = (long)batches * batch.sizeInBytes();
        final ByteBuffer readBuffer = ByteBuffer.allocateDirect(Math.max(readBytes, batch.sizeInBytes()));

        final double[] rawWrite = new double[runs];
        final double[] rawRead = new double[runs];
        final double[] logAppend = new double[runs];
        final double[] logRead = new double[runs];
        final double[] replicaAppend = new double[runs];
        for (int run = 0; run < runs; run++)
        {
            // Alternate which side goes first so that drift on a shared machine does not favour one.
            if (run % 2 == 0)
            {
                rawRun(batch, batches, readBuffer, rawWrite, rawRead, run);
                logRun(batch, batches, readBuffer, logAppend, logRead, run);
                replicaRun(batch, batches, replicaAppend, run);
            }
            else
            {
                replicaRun(batch, batches, replicaAppend, run);
                logRun(batch, batches, readBuffer, logAppend, logRead, run);
                rawRun(batch, batches, readBuffer, rawWrite, rawRead, run);
            }
        }

        final double rawWriteMbps = mbPerSecond(bytes, Percentiles.median(rawWrite));
        final double logAppendMbps = mbPerSecond(bytes, Percentiles.median(logAppend));
        final double replicaAppendMbps = mbPerSecond(bytes, Percentiles.median(replicaAppend));
        final double rawReadMbps = mbPerSecond(bytes, Percentiles.median(rawRead));
        final double logReadMbps = mbPerSecond(bytes, Percentiles.median(logRead));
        final double recordsPerSecond = (double)batches * batch.recordCount() / (Percentiles.median(logAppend) / 1e9);
        out.printf(Locale.ROOT, "%-9s %9d | %9.0f | %10.0f %5.0f%% %11.0f | %10.0f %5.0f%% | %9.0f %9.0f %5.0f%%%n",
            label(batchSize), batch.recordCount(), rawWriteMbps,
            logAppendMbps, 100 * logAppendMbps / rawWriteMbps, recordsPerSecond,
            replicaAppendMbps, 100 * replicaAppendMbps / rawWriteMbps,
            rawReadMbps, logReadMbps, 100 * logReadMbps / rawReadMbps);
    }

    private void rawRun(
        final BenchBatches.Batch batch, final int batches, final ByteBuffer readBuffer,
        final double[] writeNs, final double[] readNs, final int run) throws IOException
    {
        final Path file = dir.resolve("raw-" + run + ".bin");
        try (FileChannel channel = FileChannel.open(
            file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ))
        {
            final ByteBuffer source = batch.byteBuffer();
            final long writeStart = System.nanoTime();
            for (int i = 0; i < batches; i++)
            {
                source.clear().limit(batch.sizeInBytes());
                while (source.hasRemaining())
                {
                    channel.write(source);
                }
            }
            writeNs[run] = System.nanoTime() - writeStart;

            final long size = channel.size();
            final int chunk = readBuffer.capacity();
            long position = 0;
            final long readStart = System.nanoTime();
            while (position < size)
            {
                readBuffer.clear();
                final int read = channel.read(readBuffer, position);
                if (read < 0)
                {
                    break;
                }
                position += read;
            }
            readNs[run] = System.nanoTime() - readStart;
            if (position != size || chunk <= 0)
            {
                throw new IllegalStateException("raw read " + position + " of " + size + " bytes");
            }
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    private void logRun(
        final BenchBatches.Batch batch, final int batches, final ByteBuffer readBuffer,
        final double[] appendNs, final double[] readNs, final int run) throws IOException
    {
        final Path logDir = dir.resolve("log-" + run);
        try (Log log = Log.open(logDir, logConfig(batch), System::currentTimeMillis))
        {
            final long appendStart = System.nanoTime();
            for (int i = 0; i < batches; i++)
            {
                log.append(batch.buffer(), 0, batch.sizeInBytes(), 0);
            }
            appendNs[run] = System.nanoTime() - appendStart;

            final FileRegion region = new FileRegion();
            final long expectedEnd = (long)batches * batch.recordCount();
            long offset = 0;
            long bytesRead = 0;
            final long readStart = System.nanoTime();
            while (log.read(offset, readBytes, Long.MAX_VALUE, region))
            {
                readBuffer.clear();
                bytesRead += region.readInto(readBuffer);
                offset = region.nextOffset();
            }
            readNs[run] = System.nanoTime() - readStart;
            if (offset != expectedEnd || bytesRead != (long)batches * batch.sizeInBytes())
            {
                throw new IllegalStateException("log read ended at offset " + offset + " after " + bytesRead +
                    " bytes; expected " + expectedEnd + " and " + (long)batches * batch.sizeInBytes());
            }
        }
        finally
        {
            BenchFiles.deleteRecursively(logDir);
        }
    }

    /**
     * The replica path: {@link Log#appendAsFollower} of batches whose offsets are already assigned (as a follower
     * receives them), validated by framing and CRC only — the storage engine's own cost without the per-record
     * walk that a leader does on producer input.
     */
    private void replicaRun(final BenchBatches.Batch batch, final int batches, final double[] appendNs, final int run)
        throws IOException
    {
        final Path logDir = dir.resolve("replica-" + run);
        final RecordBatchFlyweight header = new RecordBatchFlyweight().wrap(batch.buffer(), 0);
        header.partitionLeaderEpoch(0);
        try (Log log = Log.open(logDir, logConfig(batch), System::currentTimeMillis))
        {
            final long appendStart = System.nanoTime();
            for (int i = 0; i < batches; i++)
            {
                header.baseOffset(log.logEndOffset());
                log.appendAsFollower(batch.buffer(), 0, batch.sizeInBytes());
            }
            appendNs[run] = System.nanoTime() - appendStart;
            if (log.logEndOffset() != (long)batches * batch.recordCount())
            {
                throw new IllegalStateException("replica log ended at " + log.logEndOffset());
            }
        }
        finally
        {
            BenchFiles.deleteRecursively(logDir);
        }
    }

    private static LogConfig logConfig(final BenchBatches.Batch batch)
    {
        return LogConfig.fromMap(Map.of(
            LogConfig.MAX_MESSAGE_BYTES, Integer.toString(Math.max(batch.sizeInBytes(), LogConfig.DEFAULT_MAX_MESSAGE_BYTES))));
    }

    private static double mbPerSecond(final long bytes, final double nanos)
    {
        return bytes / (nanos / 1e9) / 1e6;
    }

    private static String label(final int bytes)
    {
        return bytes % MIB == 0 ? bytes / MIB + " MiB" : bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
    }
}
