package dev.millrace.runtime.connectors.log;

import dev.millrace.runtime.api.CollectingSink;
import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.ProcessFunction;
import dev.millrace.runtime.api.SourceContext;
import dev.millrace.runtime.api.SourceReader;
import dev.millrace.runtime.connectors.log.LogTestNode.Entry;
import dev.millrace.runtime.execution.JobResult;
import dev.millrace.runtime.execution.JobState;
import dev.millrace.runtime.execution.LocalJobRunner;
import dev.millrace.runtime.execution.LocalJobRunner.JobHandle;
import dev.millrace.runtime.time.WatermarkStrategy;
import dev.millrace.runtime.windows.TumblingEventTimeWindows;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log source and sink against a one-node broker in this JVM: jobs read topics written through the Broker
 * facade and write topics read back through it, with exact contents and per-partition order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LogConnectorsTest
{
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dataDir;

    private static LogTestNode node;

    /** A keyed record of the tests: {@code value} is {@code "<input partition>-<sequence>"}. */
    record KeyValue(String key, String value)
    {
    }

    @BeforeAll
    static void startBroker()
    {
        node = new LogTestNode(dataDir);
    }

    @AfterAll
    static void stopBroker()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static LogRecordDeserializer<KeyValue> keyValues()
    {
        return record -> new KeyValue(record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
            new String(record.value(), StandardCharsets.UTF_8));
    }

    private static JobResult run(final JobBuilder job, final String name) throws Exception
    {
        return LocalJobRunner.submit(node.system(), job.build(name)).await(JOB_TIMEOUT);
    }

    /** Writes {@code count} records to each partition, {@code batch} per produce, keys {@code key-<i % keys>}. */
    private static Map<Integer, List<Entry>> fill(final String topic, final int partitions, final int count,
        final int batch, final int keys, final long firstTimestamp)
    {
        final Map<Integer, List<Entry>> written = new HashMap<>();
        for (int p = 0; p < partitions; p++)
        {
            final List<Entry> all = new ArrayList<>();
            for (int i = 0; i < count; i += batch)
            {
                final List<Entry> entries = new ArrayList<>();
                for (int j = i; j < Math.min(count, i + batch); j++)
                {
                    entries.add(new Entry("key-" + p + "-" + (j % keys), p + "-" + j, firstTimestamp + j));
                }
                node.produce(topic, p, entries);
                all.addAll(entries);
            }
            written.put(p, all);
        }
        return written;
    }

    private static List<String> values(final List<KeyValue> records)
    {
        final List<String> values = new ArrayList<>();
        for (final KeyValue record : records)
        {
            values.add(record.value());
        }
        return values;
    }

    @Test
    void shouldCopyATopicThroughAMapIntoAnotherTopicPartitionedByKeyHashInOrder() throws Exception
    {
        node.createTopic("copy-in", 3, Map.of());
        node.createTopic("copy-out", 4, Map.of());
        final Map<Integer, List<Entry>> written = fill("copy-in", 3, 500, 37, 7, 1_000);

        final JobBuilder job = JobBuilder.create().setParallelism(2);
        job.fromSource(LogSource.<KeyValue>builder().topic("copy-in").deserializer(keyValues()).bounded()
                .fetch(4096, Duration.ZERO).build(), "in")
            .map(record -> new KeyValue(record.key(), record.value().toUpperCase()))
            .sinkTo(LogSink.<KeyValue>builder().topic("copy-out")
                .serializer(LogRecordSerializer.utf8(KeyValue::key, KeyValue::value))
                .batchBytes(2048).maxInFlightRequests(2).build());
        final JobResult result = run(job, "copy");
        assertEquals(JobState.FINISHED, result.state(), () -> String.valueOf(result.failure()));

        // Expected: each input record in the partition Kafka's default partitioner picks for its key, and within
        // an output partition the records of each input partition in input order.
        final Map<Integer, Map<Integer, List<Entry>>> expected = new HashMap<>();
        for (final Map.Entry<Integer, List<Entry>> input : written.entrySet())
        {
            for (final Entry entry : input.getValue())
            {
                final int partition = BuiltInPartitioner.partitionForKey(entry.key().getBytes(StandardCharsets.UTF_8), 4);
                expected.computeIfAbsent(partition, p -> new HashMap<>())
                    .computeIfAbsent(input.getKey(), p -> new ArrayList<>())
                    .add(new Entry(entry.key(), entry.value(), entry.timestampMs()));
            }
        }
        int total = 0;
        for (int p = 0; p < 4; p++)
        {
            final List<Entry> read = node.readAll("copy-out", p);
            total += read.size();
            final Map<Integer, List<Entry>> byInput = new HashMap<>();
            for (final Entry entry : read)
            {
                final int input = Integer.parseInt(entry.value().substring(0, entry.value().indexOf('-')));
                byInput.computeIfAbsent(input, i -> new ArrayList<>())
                    .add(new Entry(entry.key(), entry.value().toLowerCase(), entry.timestampMs()));
            }
            assertEquals(expected.getOrDefault(p, Map.of()), byInput, "output partition " + p);
        }
        assertEquals(1_500, total);
    }

    @Test
    void shouldSpreadRecordsWithoutAKeyRoundRobinWithAcksFromTheLeaderOnly() throws Exception
    {
        node.createTopic("unkeyed", 3, Map.of());
        final List<String> values = new ArrayList<>();
        for (int i = 0; i < 12; i++)
        {
            values.add("v" + i);
        }
        final JobBuilder job = JobBuilder.create().setParallelism(1);
        job.fromCollection(values).sinkTo(LogSink.<String>builder().topic("unkeyed").acks(1)
            .serializer(LogRecordSerializer.utf8(v -> null, v -> v)).build());
        final JobResult result = run(job, "unkeyed");
        assertEquals(JobState.FINISHED, result.state(), () -> String.valueOf(result.failure()));
        for (int p = 0; p < 3; p++)
        {
            final List<String> read = new ArrayList<>();
            for (final Entry entry : node.readAll("unkeyed", p))
            {
                assertEquals(null, entry.key());
                read.add(entry.value());
            }
            assertEquals(List.of("v" + p, "v" + (p + 3), "v" + (p + 6), "v" + (p + 9)), read, "partition " + p);
        }
    }

    @Test
    void shouldStartAtTheEarliestLatestTimestampOrCommittedOffsets() throws Exception
    {
        node.createTopic("starts", 2, Map.of());
        fill("starts", 2, 20, 3, 20, 10_000);

        assertEquals(List.of("0-0", "0-1", "0-19", "1-0", "1-1", "1-19"), edges(readBounded(StartingOffsets.earliest(), 40)));
        assertEquals(List.of(), readBounded(StartingOffsets.latest(), 0));
        // The first record at or after 10_015 is offset 15 in both partitions; after every record: nothing.
        assertEquals(List.of("0-15", "0-16", "0-19", "1-15", "1-16", "1-19"), edges(readBounded(StartingOffsets.timestamp(10_015), 10)));
        assertEquals(List.of(), readBounded(StartingOffsets.timestamp(99_999), 0));

        // Partition 0 committed at 12, partition 1 never: it falls back to the earliest.
        node.commit("reporting", "starts", 0, 12);
        assertEquals(List.of("0-12", "0-13", "0-19", "1-0", "1-1", "1-19"),
            edges(readBounded(StartingOffsets.committed("reporting", StartingOffsets.earliest()), 28)));
        assertEquals(List.of("0-12", "0-13", "0-19"),
            edges(readBounded(StartingOffsets.committed("reporting", StartingOffsets.latest()), 8)));
    }

    /** Runs a bounded copy of topic "starts" at parallelism 1 and returns the values by partition, in order. */
    private static List<String> readBounded(final StartingOffsets offsets, final int expectedCount) throws Exception
    {
        final CollectingSink<KeyValue> sink = new CollectingSink<>();
        final JobBuilder job = JobBuilder.create().setParallelism(1);
        job.fromSource(LogSource.<KeyValue>builder().topic("starts").deserializer(keyValues()).startingOffsets(offsets)
            .bounded().build(), "starts").sinkTo(sink);
        final JobResult result = run(job, "starts");
        assertEquals(JobState.FINISHED, result.state(), () -> String.valueOf(result.failure()));
        final List<String> values = values(sink.results());
        assertEquals(expectedCount, values.size(), values::toString);
        // Sorted by partition, stable within a partition: the source's per-partition order is kept.
        final List<String> byPartition = new ArrayList<>(values);
        byPartition.sort((a, b) -> Character.compare(a.charAt(0), b.charAt(0)));
        return byPartition;
    }

    /** Per partition: its first two values and its last. */
    private static List<String> edges(final List<String> values)
    {
        final List<String> edges = new ArrayList<>();
        for (final char partition : new char[] {'0', '1'})
        {
            final List<String> of = new ArrayList<>();
            for (final String value : values)
            {
                if (value.charAt(0) == partition)
                {
                    of.add(value);
                }
            }
            for (int i = 1; i < of.size(); i++)
            {
                final int previous = Integer.parseInt(of.get(i - 1).substring(2));
                assertEquals(previous + 1, Integer.parseInt(of.get(i).substring(2)), "gap or disorder in " + of);
            }
            if (!of.isEmpty())
            {
                edges.add(of.get(0));
                if (of.size() > 2)
                {
                    edges.add(of.get(1));
                }
                edges.add(of.get(of.size() - 1));
            }
        }
        return edges;
    }

    @Test
    void shouldContinueFromItsPositionInANewReaderWithoutLosingOrRepeatingARecord() throws Exception
    {
        node.createTopic("positions", 3, Map.of());
        fill("positions", 3, 40, 5, 40, 0);
        final LogSource<KeyValue> source = LogSource.<KeyValue>builder().topic("positions").deserializer(keyValues())
            .bounded().fetch(64, Duration.ZERO).build();
        final List<String> read = new ArrayList<>();
        final SourceReader<KeyValue> first = source.createReader(
            new SourceContext(0, 1, node.system(), () -> { }, System::currentTimeMillis));
        final TestProbe<Void> probe = TestProbe.create(node.system());
        probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(10), () ->
        {
            first.emitBatch((record, timestamp) -> read.add(record.value()), 7);
            assertTrue(read.size() >= 50);
            return null;
        });
        final Object position = first.position();
        // The position is a plain map partition -> next offset, consistent with what was emitted.
        final Map<Integer, Long> expectedPosition = new HashMap<>();
        for (final String value : read)
        {
            final int partition = value.charAt(0) - '0';
            expectedPosition.merge(partition, Long.parseLong(value.substring(2)) + 1, Math::max);
        }
        for (int p = 0; p < 3; p++)
        {
            expectedPosition.putIfAbsent(p, 0L);
        }
        assertEquals(expectedPosition, position);

        final SourceReader<KeyValue> second = source.createReader(
            new SourceContext(0, 1, node.system(), () -> { }, System::currentTimeMillis));
        second.seek(position);
        final int[] last = {0};
        probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(10), () ->
        {
            last[0] = second.emitBatch((record, timestamp) -> read.add(record.value()), 7);
            assertEquals(-1, last[0]);
            return null;
        });
        read.sort(null);
        final List<String> all = new ArrayList<>();
        for (int p = 0; p < 3; p++)
        {
            for (int i = 0; i < 40; i++)
            {
                all.add(p + "-" + i);
            }
        }
        all.sort(null);
        assertEquals(all, read);
    }

    @Test
    void shouldFollowAnUnboundedTopicFromTheLatestOffset() throws Exception
    {
        node.createTopic("follow", 1, Map.of());
        node.produce("follow", 0, List.of(new Entry("k", "old-0", 1), new Entry("k", "old-1", 2)));
        final CollectingSink<KeyValue> sink = new CollectingSink<>();
        final JobBuilder job = JobBuilder.create().setParallelism(1);
        job.fromSource(LogSource.<KeyValue>builder().topic("follow").deserializer(keyValues())
            .startingOffsets(StartingOffsets.latest()).build(), "follow").sinkTo(sink);
        final JobHandle handle = LocalJobRunner.submit(node.system(), job.build("follow"));
        try
        {
            // Produce until the job has seen something: what it sees must all be new, complete from its start.
            final TestProbe<Void> probe = TestProbe.create(node.system());
            final AtomicLong produced = new AtomicLong();
            probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () ->
            {
                node.produce("follow", 0, List.of(new Entry("k", "new-" + produced.getAndIncrement(), 3)));
                assertTrue(sink.size() >= 3);
                return null;
            });
            final List<String> seen = values(sink.results());
            final int first = Integer.parseInt(seen.get(0).substring(4));
            for (int i = 0; i < seen.size(); i++)
            {
                assertEquals("new-" + (first + i), seen.get(i));
            }
            assertTrue(first + seen.size() <= produced.get());
        }
        finally
        {
            handle.cancel();
        }
    }

    @Test
    void shouldTrackEventTimePerPartitionSoThatAFastPartitionMakesNoRecordLate() throws Exception
    {
        node.createTopic("event-time", 2, Map.of());
        // One record per batch, and fetches of one batch: the source alternates between the partitions, whose
        // event times are far apart. One watermark for the instance would make partition 0's records late.
        for (int i = 0; i < 30; i++)
        {
            node.produce("event-time", 0, List.of(new Entry("k", "0-" + i, 1_000 + i)));
            node.produce("event-time", 1, List.of(new Entry("k", "1-" + i, 100_000 + i)));
        }
        final CollectingSink<String> late = new CollectingSink<>();
        final CollectingSink<Long> watermarks = new CollectingSink<>();
        final JobBuilder job = JobBuilder.create().setParallelism(1);
        job.fromSource(LogSource.<KeyValue>builder().topic("event-time").deserializer(keyValues()).bounded()
                .fetch(1, Duration.ZERO).watermarkStrategy(WatermarkStrategy.forMonotonousTimestamps()).build(), "events")
            .process(() -> new ProcessFunction<KeyValue, Long>()
            {
                @Override
                public void processElement(final KeyValue value, final Context context, final Collector<Long> out)
                {
                    if (context.timestamp() <= context.currentWatermark())
                    {
                        late.invoke(value.value() + " at " + context.timestamp() + " <= " + context.currentWatermark(),
                            0);
                    }
                    out.collect(context.currentWatermark());
                }
            })
            .sinkTo(watermarks);
        final JobResult result = run(job, "event-time");
        assertEquals(JobState.FINISHED, result.state(), () -> String.valueOf(result.failure()));
        assertEquals(List.of(), late.results());
        assertEquals(60, watermarks.size());
        final long highest = watermarks.results().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(highest >= 1_000, "the watermark never advanced: " + highest);
    }

    @Test
    void shouldNotLetAnIdlePartitionHoldBackEventTime() throws Exception
    {
        node.createTopic("idle", 2, Map.of());
        for (int i = 0; i < 10; i++)
        {
            node.produce("idle", 0, List.of(new Entry("k", "0-" + i, 1_000 + i * 1_000L)));
        }
        final CollectingSink<Long> counts = new CollectingSink<>();
        final JobBuilder job = JobBuilder.create().setParallelism(1);
        job.fromSource(LogSource.<KeyValue>builder().topic("idle").deserializer(keyValues())
                .watermarkStrategy(WatermarkStrategy.<KeyValue>forMonotonousTimestamps()
                    .withIdleness(Duration.ofMillis(200))).build(), "idle")
            .keyBy(KeyValue::key)
            .window(TumblingEventTimeWindows.of(Duration.ofSeconds(5)))
            .aggregate(new dev.millrace.runtime.api.AggregateFunction<KeyValue, Long, Long>()
            {
                @Override
                public Long createAccumulator()
                {
                    return 0L;
                }

                @Override
                public Long add(final KeyValue value, final Long accumulator)
                {
                    return accumulator + 1;
                }

                @Override
                public Long getResult(final Long accumulator)
                {
                    return accumulator;
                }

                @Override
                public Long merge(final Long a, final Long b)
                {
                    return a + b;
                }
            })
            .sinkTo(counts);
        final JobHandle handle = LocalJobRunner.submit(node.system(), job.build("idle"));
        try
        {
            // Partition 1 never gets a record; once idle, partition 0's watermark (10_000 - 1 after its last
            // record) fires the windows [0, 5000) and [5000, 10000) of the unbounded job.
            TestProbe.create(node.system()).awaitAssert(Duration.ofSeconds(30), () ->
            {
                assertEquals(List.of(4L, 5L), counts.results());
                return null;
            });
        }
        finally
        {
            handle.cancel();
        }
    }

    @Test
    void shouldFailTheJobNamingAnUnknownTopic() throws Exception
    {
        final JobBuilder reading = JobBuilder.create().setParallelism(1);
        reading.fromSource(LogSource.<KeyValue>builder().topic("no-such-input").deserializer(keyValues()).build(), "in")
            .sinkTo(new CollectingSink<>());
        final JobResult readResult = run(reading, "unknown-in");
        assertEquals(JobState.FAILED, readResult.state());
        final LogConnectorException readFailure = assertInstanceOf(LogConnectorException.class, readResult.failure());
        assertTrue(readFailure.getMessage().contains("'no-such-input'"), readFailure::getMessage);
        assertTrue(readFailure.getMessage().contains("UNKNOWN_TOPIC_OR_PARTITION"), readFailure::getMessage);

        final JobBuilder writing = JobBuilder.create().setParallelism(1);
        writing.fromCollection(List.of("a", "b")).sinkTo(LogSink.<String>builder().topic("no-such-output")
            .serializer(LogRecordSerializer.utf8(v -> v, v -> v)).build());
        final JobResult writeResult = run(writing, "unknown-out");
        assertEquals(JobState.FAILED, writeResult.state());
        final LogConnectorException writeFailure = assertInstanceOf(LogConnectorException.class, writeResult.failure());
        assertTrue(writeFailure.getMessage().contains("'no-such-output'"), writeFailure::getMessage);
    }

    @Test
    void shouldFailTheJobSayingSoWhenNoBrokerAnswers() throws Exception
    {
        final ActorTestKit withoutBroker = ActorTestKit.create("no-broker");
        try
        {
            final JobBuilder job = JobBuilder.create().setParallelism(1);
            job.fromSource(LogSource.<KeyValue>builder().topic("anything").deserializer(keyValues())
                .requestTimeout(Duration.ofMillis(500)).build(), "in").sinkTo(new CollectingSink<>());
            final JobResult result = LocalJobRunner.submit(withoutBroker.system(), job.build("no-broker"))
                .await(JOB_TIMEOUT);
            assertEquals(JobState.FAILED, result.state());
            final LogConnectorException failure = assertInstanceOf(LogConnectorException.class, result.failure());
            assertTrue(failure.getMessage().contains("'anything'") && failure.getMessage().contains("/system/broker")
                && failure.getMessage().contains("is a broker node running"), failure::getMessage);
        }
        finally
        {
            withoutBroker.shutdownTestKit();
        }
    }

    @Test
    void shouldFailTheJobNamingTopicPartitionAndOffsetWhenTheDeserializerThrows() throws Exception
    {
        node.createTopic("poison", 2, Map.of());
        node.produce("poison", 1, List.of(new Entry("k", "fine", 1), new Entry("k", "fine", 2),
            new Entry("k", "poison", 3)));
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        job.fromSource(LogSource.<String>builder().topic("poison").bounded().deserializer(record ->
        {
            final String value = new String(record.value(), StandardCharsets.UTF_8);
            if (value.equals("poison"))
            {
                throw new IllegalArgumentException("cannot parse " + value);
            }
            return value;
        }).build(), "poison").sinkTo(new CollectingSink<>());
        final JobResult result = run(job, "poison");
        assertEquals(JobState.FAILED, result.state());
        final LogConnectorException failure = assertInstanceOf(LogConnectorException.class, result.failure());
        assertTrue(failure.getMessage().contains("offset 2 of partition 1 of topic 'poison'"), failure::getMessage);
        assertInstanceOf(IllegalArgumentException.class, failure.getCause());
    }

    @Test
    void shouldFailTheJobWhenTheLogRefusesARecordAsTooLarge() throws Exception
    {
        node.createTopic("small", 1, Map.of("max.message.bytes", "1024"));
        final JobBuilder job = JobBuilder.create().setParallelism(1);
        job.fromCollection(List.of("small", "x".repeat(4_000))).sinkTo(LogSink.<String>builder().topic("small")
            .serializer(LogRecordSerializer.utf8(v -> null, v -> v)).build());
        final JobResult result = run(job, "too-large");
        assertEquals(JobState.FAILED, result.state());
        final LogConnectorException failure = assertInstanceOf(LogConnectorException.class, result.failure());
        assertTrue(failure.getMessage().contains("partition 0 of topic 'small'"), failure::getMessage);
        assertTrue(failure.getMessage().contains("MESSAGE_TOO_LARGE"), failure::getMessage);
    }
}
