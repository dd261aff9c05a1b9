package dev.millrace.deploy.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code millrace consume TOPIC}: prints records, one per line, as a member of a consumer group (committing what it
 * printed) or from chosen partitions and offsets (committing nothing). Without {@code --follow} it stops once it has
 * reached the end offsets the partitions had when it started; with it, it runs until SIGINT/SIGTERM or
 * {@code --max-messages}.
 *
 * <p>Threading: the consumer is used by the calling thread only; a shutdown hook wakes it up to stop.
 */
@Command(name = "consume", mixinStandardHelpOptions = true,
    description = "Print a topic's records, one per line: as a group member, or from chosen partitions and offsets.")
public final class ConsumeCommand implements Runnable
{
    private static final Duration POLL = Duration.ofMillis(200);

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Option(names = {"--group", "-g"}, paramLabel = "GROUP",
        description = "Consume as a member of this consumer group, committing the offsets of what was printed.")
    String group;

    @Option(names = {"--partition", "-p"}, paramLabel = "N",
        description = "Read only this partition (not with --group). Default: all partitions.")
    Integer partition;

    @Option(names = {"--offset", "-o"}, paramLabel = "OFFSET",
        description = "Where to start in --partition: an offset, earliest or latest. Default: latest.")
    String offset;

    @Option(names = "--from-beginning",
        description = "Start at the earliest offset (a group: only where it has no committed offset).")
    boolean fromBeginning;

    @Option(names = "--from-timestamp", paramLabel = "TIME", converter = TimestampConverter.class,
        description = "Start at the first record with a timestamp at or after TIME (epoch ms or ISO-8601, e.g. " +
            "2026-11-24T20:00:00Z).")
    Long fromTimestamp;

    @Option(names = {"--max-messages", "-n"}, paramLabel = "N", description = "Stop after N records.")
    Long maxMessages;

    @Option(names = {"--follow", "-F"},
        description = "Keep waiting for new records (until SIGINT/SIGTERM or --max-messages), instead of stopping at " +
            "the end offsets seen at start.")
    boolean follow;

    @Option(names = "--print-key", description = "Print the key (null for none).")
    boolean printKey;

    @Option(names = "--print-value", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Print the value (default; --no-print-value to leave it out).")
    boolean printValue;

    @Option(names = "--print-headers", description = "Print the headers as k1:v1,k2:v2 (NO_HEADERS for none).")
    boolean printHeaders;

    @Option(names = "--print-timestamp", description = "Print the timestamp as CreateTime:<epoch ms> (or LogAppendTime).")
    boolean printTimestamp;

    @Option(names = "--print-partition", description = "Print Partition:<n>.")
    boolean printPartition;

    @Option(names = "--print-offset", description = "Print Offset:<n>.")
    boolean printOffset;

    @Option(names = "--separator", paramLabel = "SEP", defaultValue = "\t",
        description = "Between the printed fields. Default: a tab.")
    String separator;

    /** Where each partition starts for {@code --from-timestamp}: -1 when no record is that recent. */
    private Map<TopicPartition, Long> timestampOffsets = Map.of();

    /** Records printed so far (also when SIGINT stops the loop). */
    private long consumed;

    @Override
    public void run()
    {
        validate();
        final List<TopicPartition> partitions = partitions();
        final PrintWriter out = spec.commandLine().getOut();
        final CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = null;
        try
        {
            try (KafkaConsumer<byte[], byte[]> consumer = consumer())
            {
                final Map<TopicPartition, Long> endsAtStart = consumer.endOffsets(partitions, client.timeout());
                start(consumer, partitions);
                hook = new Thread(() -> wakeUpAndWait(consumer, stopped), "millrace-consume-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                loop(consumer, endsAtStart, out);
            }
            catch (final WakeupException ex)
            {
                // Stopped by SIGINT/SIGTERM: what was printed is committed already, and the consumer closed.
            }
            catch (final KafkaException ex)
            {
                throw Failures.of(ex, client, "topic '" + topic + "'");
            }
            // Before the shutdown hook may let the JVM go: on SIGTERM this is the last thing done.
            out.flush();
            final PrintWriter err = spec.commandLine().getErr();
            err.println("consumed " + consumed + " record" + (consumed == 1 ? "" : "s") + " from topic '" + topic + "'" +
                (group == null ? "" : " as group '" + group + "'"));
            err.flush();
        }
        finally
        {
            // Only now, the consumer closed (left its group), may the shutdown hook let the JVM go.
            stopped.countDown();
            if (hook != null)
            {
                removeHook(hook);
            }
        }
    }

    private void validate()
    {
        if (group != null && partition != null)
        {
            throw new ParameterException(spec.commandLine(), "--group and --partition exclude each other");
        }
        if (offset != null && partition == null)
        {
            throw new ParameterException(spec.commandLine(), "--offset needs --partition");
        }
        final int starts = (offset != null ? 1 : 0) + (fromBeginning ? 1 : 0) + (fromTimestamp != null ? 1 : 0);
        if (starts > 1)
        {
            throw new ParameterException(spec.commandLine(),
                "give at most one of --offset, --from-beginning, --from-timestamp");
        }
        if (offset != null && !"earliest".equals(offset) && !"latest".equals(offset))
        {
            try
            {
                if (Long.parseLong(offset) < 0)
                {
                    throw new NumberFormatException();
                }
            }
            catch (final NumberFormatException ex)
            {
                throw new ParameterException(spec.commandLine(),
                    "--offset must be an offset >= 0, earliest or latest, was '" + offset + "'");
            }
        }
        if (maxMessages != null && maxMessages < 1)
        {
            throw new ParameterException(spec.commandLine(), "--max-messages must be >= 1, was " + maxMessages);
        }
    }

    /**
     * The partitions to read, checking that the topic (and the partition) exist; with {@code --from-timestamp}, also
     * where each starts ({@link #timestampOffsets}). The admin client looks those up: the consumer's own
     * {@code offsetsForTimes} refuses an answer without the found record's timestamp, which Millrace's listener
     * gives today.
     */
    private List<TopicPartition> partitions()
    {
        final TopicDescription description;
        final List<TopicPartition> all = new ArrayList<>();
        try (Admin admin = client.admin())
        {
            description = Failures.await(admin.describeTopics(List.of(topic)).topicNameValues().get(topic), client,
                "topic '" + topic + "'");
            description.partitions().forEach(p -> all.add(new TopicPartition(topic, p.partition())));
            if (fromTimestamp != null)
            {
                timestampOffsets = GroupsCommand.endOffsets(admin, client, new HashSet<>(all),
                    OffsetSpec.forTimestamp(fromTimestamp), "topic '" + topic + "'");
            }
        }
        final int count = description.partitions().size();
        if (partition != null)
        {
            if (partition < 0 || partition >= count)
            {
                throw new CommandFailedException("topic '" + topic + "' has no partition " + partition + " (it has " +
                    count + ")");
            }
            return List.of(new TopicPartition(topic, partition));
        }
        return all;
    }

    private KafkaConsumer<byte[], byte[]> consumer()
    {
        final Properties props = client.common();
        if (group != null)
        {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.putAll(client.clientProperties);
        try
        {
            return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        catch (final KafkaException ex)
        {
            throw Failures.ofClientCreation(ex);
        }
    }

    private void start(final KafkaConsumer<byte[], byte[]> consumer, final List<TopicPartition> partitions)
    {
        if (group != null)
        {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener()
            {
                @Override
                public void onPartitionsRevoked(final Collection<TopicPartition> revoked)
                {
                    // Offsets are committed after every printed batch: nothing is pending.
                }

                @Override
                public void onPartitionsAssigned(final Collection<TopicPartition> assigned)
                {
                    if (fromTimestamp != null)
                    {
                        seekToTimestamp(consumer, assigned);
                    }
                }
            });
            return;
        }
        consumer.assign(partitions);
        if (fromTimestamp != null)
        {
            seekToTimestamp(consumer, partitions);
        }
        else if (fromBeginning || "earliest".equals(offset))
        {
            consumer.seekToBeginning(partitions);
        }
        else if (offset == null || "latest".equals(offset))
        {
            consumer.seekToEnd(partitions);
        }
        else
        {
            consumer.seek(partitions.get(0), Long.parseLong(offset));
        }
    }

    /** Seeks to {@link #timestampOffsets}; a partition with no record at or after the time starts at its end. */
    private void seekToTimestamp(final KafkaConsumer<byte[], byte[]> consumer, final Collection<TopicPartition> partitions)
    {
        final List<TopicPartition> none = new ArrayList<>();
        for (final TopicPartition tp : partitions)
        {
            final Long at = timestampOffsets.get(tp);
            if (at == null || at < 0)
            {
                none.add(tp);
            }
            else
            {
                consumer.seek(tp, at);
            }
        }
        if (!none.isEmpty())
        {
            consumer.seekToEnd(none);
        }
    }

    private void loop(
        final KafkaConsumer<byte[], byte[]> consumer, final Map<TopicPartition, Long> endsAtStart, final PrintWriter out)
    {
        final long assignDeadlineNs = System.nanoTime() + client.timeout().toNanos();
        while (true)
        {
            final ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            final Map<TopicPartition, OffsetAndMetadata> printed = new HashMap<>();
            for (final ConsumerRecord<byte[], byte[]> record : records)
            {
                out.println(format(record));
                consumed++;
                printed.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                if (maxMessages != null && consumed >= maxMessages)
                {
                    break;
                }
            }
            if (!records.isEmpty())
            {
                out.flush();
            }
            if (group != null && !printed.isEmpty())
            {
                consumer.commitSync(printed, client.timeout());
            }
            if (maxMessages != null && consumed >= maxMessages)
            {
                return;
            }
            if (consumer.assignment().isEmpty())
            {
                if (System.nanoTime() > assignDeadlineNs)
                {
                    throw new CommandFailedException("group '" + group + "' assigned this consumer no partition of '" +
                        topic + "' within " + DurationConverter.format(client.timeout()));
                }
                continue;
            }
            if (!follow && reachedEnds(consumer, endsAtStart))
            {
                return;
            }
        }
    }

    private static boolean reachedEnds(
        final KafkaConsumer<byte[], byte[]> consumer, final Map<TopicPartition, Long> endsAtStart)
    {
        for (final TopicPartition tp : consumer.assignment())
        {
            final Long end = endsAtStart.get(tp);
            if (end != null && consumer.position(tp) < end)
            {
                return false;
            }
        }
        return true;
    }

    String format(final ConsumerRecord<byte[], byte[]> record)
    {
        final StringBuilder line = new StringBuilder();
        if (printTimestamp)
        {
            field(line, record.timestampType().name + ":" + record.timestamp());
        }
        if (printPartition)
        {
            field(line, "Partition:" + record.partition());
        }
        if (printOffset)
        {
            field(line, "Offset:" + record.offset());
        }
        if (printHeaders)
        {
            final StringBuilder headers = new StringBuilder();
            for (final Header header : record.headers())
            {
                if (headers.length() > 0)
                {
                    headers.append(',');
                }
                headers.append(header.key()).append(':').append(text(header.value()));
            }
            field(line, headers.length() == 0 ? "NO_HEADERS" : headers.toString());
        }
        if (printKey)
        {
            field(line, text(record.key()));
        }
        if (printValue)
        {
            field(line, text(record.value()));
        }
        return line.toString();
    }

    private void field(final StringBuilder line, final String text)
    {
        if (line.length() > 0)
        {
            line.append(separator);
        }
        line.append(text);
    }

    private static String text(final byte[] bytes)
    {
        return bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8);
    }

    private static void wakeUpAndWait(final KafkaConsumer<byte[], byte[]> consumer, final CountDownLatch stopped)
    {
        consumer.wakeup();
        try
        {
            // Let the loop commit and the consumer leave its group before the JVM goes.
            stopped.await(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException shuttingDown)
        {
            // The JVM is stopping: the hook has run or is running.
        }
    }
}
