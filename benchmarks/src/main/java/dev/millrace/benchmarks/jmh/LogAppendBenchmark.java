package dev.millrace.benchmarks.jmh;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.millrace.broker.log.Log;
import dev.millrace.broker.log.LogConfig;
import dev.millrace.serialization.batch.RecordBatchBuilder;
import dev.millrace.benchmarks.BenchFiles;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@link Log#append} of a batch of 100-byte records per operation. Run with {@code -prof gc}: the
 * {@code gc.alloc.rate.norm} figure divided by the batch's record count is the allocation per record.
 * Retention keeps the directory near 256 MiB, so the run does not fill the disk; the segment rolls and
 * deletions it causes allocate per segment and show up, amortised, in the per-operation figure.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED" })
public class LogAppendBenchmark
{
    private static final int RETENTION_CHECK_INTERVAL = 256;

    @Param({ "16384", "65536", "1048576" })
    public int batchBytes;

    private Path directory;
    private Log log;
    private UnsafeBuffer batch;
    private int batchLength;
    private int appendsSinceRetention;

    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        directory = Files.createTempDirectory("millrace-jmh-append");
        log = Log.open(directory, LogConfig.fromMap(Map.of(
            LogConfig.SEGMENT_BYTES, Integer.toString(64 * 1024 * 1024),
            LogConfig.RETENTION_BYTES, Long.toString(256L * 1024 * 1024),
            LogConfig.MAX_MESSAGE_BYTES, Integer.toString(Math.max(batchBytes, LogConfig.DEFAULT_MAX_MESSAGE_BYTES)))),
            System::currentTimeMillis);
        batch = new UnsafeBuffer(ByteBuffer.allocateDirect(batchBytes));
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(batch, 0, batchBytes);
        final byte[] value = new byte[100];
        for (long timestamp = 1_700_000_000_000L; builder.append(timestamp, null, value); timestamp++)
        {
            value[(int)(timestamp % value.length)]++;
        }
        batchLength = builder.build();
    }

    @Benchmark
    public long append()
    {
        if (++appendsSinceRetention == RETENTION_CHECK_INTERVAL)
        {
            appendsSinceRetention = 0;
            log.deleteOldSegments();
        }
        return log.append(batch, 0, batchLength, 0).lastOffset();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception
    {
        log.close();
        BenchFiles.deleteRecursively(directory);
    }
}
