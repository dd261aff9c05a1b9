package dev.millrace.runtime.connectors.log;

import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.connectors.log.LogTestNode.Entry;
import dev.millrace.runtime.execution.JobResult;
import dev.millrace.runtime.execution.JobState;
import dev.millrace.runtime.execution.LocalJobRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A rough figure, not a benchmark: how fast a job copies a topic through a map into another topic on a one-node
 * broker in this JVM (parallelism 2, 3 partitions each side, 100-byte values). Run on demand with
 * {@code -Dmillrace.log-copy-throughput=true -Dtest=LogCopyThroughputTest}.
 */
@EnabledIfSystemProperty(named = "millrace.log-copy-throughput", matches = "true")
class LogCopyThroughputTest
{
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 200_000;
    private static final int BATCH = 1_000;

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldReportTheCopyRate() throws Exception
    {
        try (LogTestNode node = new LogTestNode(dataDir))
        {
            node.createTopic("bench-in", PARTITIONS, Map.of());
            node.createTopic("bench-out", PARTITIONS, Map.of());
            final String padding = "x".repeat(90);
            for (int p = 0; p < PARTITIONS; p++)
            {
                for (int i = 0; i < PER_PARTITION; i += BATCH)
                {
                    final List<Entry> entries = new ArrayList<>(BATCH);
                    for (int j = i; j < i + BATCH; j++)
                    {
                        entries.add(new Entry("key-" + (j % 1000), padding + j, j));
                    }
                    node.produce("bench-in", p, entries);
                }
            }
            final JobBuilder job = JobBuilder.create().setParallelism(2);
            job.fromSource(LogSource.<byte[][]>builder().topic("bench-in").bounded()
                    .deserializer(record -> new byte[][] {record.key(), record.value()}).build(), "in")
                .map(kv -> new byte[][] {kv[0], new String(kv[1], StandardCharsets.UTF_8).toUpperCase()
                    .getBytes(StandardCharsets.UTF_8)})
                .sinkTo(LogSink.<byte[][]>builder().topic("bench-out").serializer(LogRecordSerializer.of(kv -> kv[0],
                    kv -> kv[1])).build());
            final JobResult result = LocalJobRunner.submit(node.system(), job.build("copy")).await(Duration.ofMinutes(4));
            assertEquals(JobState.FINISHED, result.state(), () -> String.valueOf(result.failure()));
            long copied = 0;
            for (int p = 0; p < PARTITIONS; p++)
            {
                copied += node.readAll("bench-out", p).size();
            }
            assertEquals((long)PARTITIONS * PER_PARTITION, copied);
            System.out.printf("log copy: %,d records in %,d ms = %,.0f records/s%n", copied, result.durationMs(),
                copied * 1000.0 / result.durationMs());
        }
    }
}
