package dev.millrace.benchmarks.jmh;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import dev.millrace.serialization.batch.RecordBatchBuilder;
import dev.millrace.serialization.batch.RecordBatchReader;
import dev.millrace.serialization.batch.RecordFlyweight;
import dev.millrace.serialization.compress.CompressionType;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Building a 64 KiB batch of 100-byte records, and iterating every record of one, per operation, for each codec.
 * With {@code -prof gc}: allocation per operation over the records per batch is the allocation per record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED" })
public class RecordIterationBenchmark
{
    private static final int BATCH_BYTES = 64 * 1024;

    @Param({ "NONE", "LZ4", "ZSTD" })
    public CompressionType compression;

    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final RecordBatchReader reader = new RecordBatchReader(64 * 1024 * 1024);
    private final byte[] value = new byte[100];
    private UnsafeBuffer scratch;
    private UnsafeBuffer batch;
    private int batchLength;

    @Setup(Level.Trial)
    public void setUp()
    {
        scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(BATCH_BYTES));
        batch = new UnsafeBuffer(ByteBuffer.allocateDirect(BATCH_BYTES));
        batchLength = fill(batch);
    }

    private int fill(final UnsafeBuffer target)
    {
        builder.wrap(target, 0, BATCH_BYTES).compression(compression);
        for (long timestamp = 1_700_000_000_000L; builder.append(timestamp, null, value); timestamp++)
        {
            value[(int)(timestamp % value.length)] = (byte)timestamp;
        }
        return builder.build();
    }

    @Benchmark
    public int build()
    {
        return fill(scratch);
    }

    @Benchmark
    public long iterate()
    {
        reader.wrap(batch, 0, batchLength, 0);
        long sum = 0;
        while (reader.next())
        {
            final RecordFlyweight record = reader.record();
            sum += record.offset() + record.valueLength();
        }
        return sum;
    }
}
