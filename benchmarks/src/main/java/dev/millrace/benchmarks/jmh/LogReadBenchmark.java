package dev.millrace.benchmarks.jmh;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.millrace.broker.log.FileRegion;
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
 * One {@link Log#read} of up to 1 MiB (whole batches) into a reused region, copied into a reused direct
 * buffer, per operation, walking a 128 MiB log from start to end and around again. With {@code -prof gc},
 * {@code gc.alloc.rate.norm} divided by the records per read is the allocation per record read.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED" })
public class LogReadBenchmark
{
    private static final long LOG_BYTES = 128L * 1024 * 1024;
    private static final int READ_BYTES = 1024 * 1024;

    @Param({ "16384", "65536" })
    public int batchBytes;

    private Path directory;
    private Log log;
    private final FileRegion region = new FileRegion();
    private ByteBuffer target;
    private long offset;

    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        directory = Files.createTempDirectory("millrace-jmh-read");
        log = Log.open(directory, LogConfig.fromMap(Map.of(
            LogConfig.SEGMENT_BYTES, Integer.toString(64 * 1024 * 1024))), System::currentTimeMillis);
        final UnsafeBuffer batch = new UnsafeBuffer(ByteBuffer.allocateDirect(batchBytes));
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(batch, 0, batchBytes);
        final byte[] value = new byte[100];
        for (long timestamp = 1_700_000_000_000L; builder.append(timestamp, null, value); timestamp++)
        {
            value[(int)(timestamp % value.length)]++;
        }
        final int length = builder.build();
        for (long written = 0; written < LOG_BYTES; written += length)
        {
            log.append(batch, 0, length, 0);
        }
        target = ByteBuffer.allocateDirect(READ_BYTES + batchBytes);
    }

    @Benchmark
    public int read() throws Exception
    {
        if (!log.read(offset, READ_BYTES, Long.MAX_VALUE, region))
        {
            offset = 0;
            log.read(offset, READ_BYTES, Long.MAX_VALUE, region);
        }
        target.clear();
        final int bytes = region.readInto(target);
        offset = region.nextOffset();
        return bytes;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception
    {
        log.close();
        BenchFiles.deleteRecursively(directory);
    }
}
