package dev.millrace.multinode.verify;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import dev.millrace.multinode.verify.DeliveryReport.Rule;
import org.apache.kafka.common.TopicPartition;

/**
 * Verifies a history of sends and reads, as the Kafka system tests' verifiable producer and consumer do: every
 * acknowledged record is read back at the partition and offset of its acknowledgement, each offset holds one record
 * and each record one offset (exactly once per partition), offsets increase within a consumer session and each
 * producer's sequence increases along a partition's offsets (in order), and nothing is read that was never sent.
 * The {@link Rule}s say each one precisely.
 *
 * <p>Records whose send failed are ambiguous (written or not), so they may be read or not; once read, they obey the
 * same rules. The reads must cover the partitions up to their ends for {@link Rule#LOST} to mean a lost record:
 * read until the consumers' positions reach the end offsets taken after the producers stopped.
 *
 * <p>Stateless and thread-safe: {@link #check} can run many times.
 */
public final class DeliveryCheck
{
    private final boolean idempotent;
    private final boolean allowRereads;
    private final int maxExamples;

    private DeliveryCheck(final boolean idempotent, final boolean allowRereads, final int maxExamples)
    {
        this.idempotent = idempotent;
        this.allowRereads = allowRereads;
        this.maxExamples = maxExamples;
    }

    /**
     * The strict check: the producers were idempotent (a record at two offsets of one partition is a violation) and
     * every offset was read once (no re-deliveries), with up to 10 example messages per rule.
     */
    public static DeliveryCheck strict()
    {
        return new DeliveryCheck(true, false, 10);
    }

    /**
     * With {@code false}, the producers were not idempotent: a retried record may be written twice in its partition,
     * which is then not a violation ({@link Rule#DUPLICATE_VALUE} still holds across partitions).
     */
    public DeliveryCheck idempotent(final boolean on)
    {
        return new DeliveryCheck(on, allowRereads, maxExamples);
    }

    /**
     * With {@code true}, reading an offset again with the same value is counted ({@link DeliveryReport#rereads}) but
     * is no violation: at-least-once consumers that ran through faults (a commit lost, a rebalance) re-read from
     * their last committed offset. A different value at a re-read offset is always a violation.
     */
    public DeliveryCheck allowRereads(final boolean on)
    {
        return new DeliveryCheck(idempotent, on, maxExamples);
    }

    /** How many example messages a report keeps per rule, {@code >= 1}. */
    public DeliveryCheck maxExamples(final int count)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("maxExamples must be >= 1 but was " + count);
        }
        return new DeliveryCheck(idempotent, allowRereads, count);
    }

    /**
     * Checks a history.
     *
     * @param sends what every producer sent: one result per record value.
     * @param reads what every consumer read, each session's reads in the order it read them.
     * @throws IllegalArgumentException when two results carry the same value (the sends are not one history).
     */
    public DeliveryReport check(final Collection<SendResult> sends, final List<ConsumedRecord> reads)
    {
        final DeliveryReport.Builder report = DeliveryReport.builder(maxExamples);
        final Map<RecordValue, SendResult> sent = indexSends(sends);
        final Map<TopicPartition, Map<Long, SendResult.Acked>> ackedAt = indexAcks(sends, report);

        // partition -> offset -> the first read of it; and where each value was read (distinct positions).
        final Map<TopicPartition, TreeMap<Long, ConsumedRecord>> firstReads = new HashMap<>();
        final Map<RecordValue, Set<Position>> readAt = new HashMap<>();
        final Map<String, Map<TopicPartition, Long>> sessionMax = new HashMap<>();
        final Set<RecordValue> failedButRead = new HashSet<>();
        long rereads = 0;
        for (final ConsumedRecord read : reads)
        {
            final TreeMap<Long, ConsumedRecord> partitionReads = firstReads.computeIfAbsent(read.partition(), p -> new TreeMap<>());
            final ConsumedRecord first = partitionReads.get(read.offset());
            if (first != null)
            {
                if (Objects.equals(first.value(), read.value()))
                {
                    rereads++;
                    if (!allowRereads)
                    {
                        report.violation(Rule.DUPLICATE_OFFSET, read.partition() + "@" + read.offset() + " (" + read.value() +
                            ") read again by " + read.session() + ", first read by " + first.session());
                    }
                }
                else
                {
                    report.violation(Rule.CONFLICTING_OFFSET, read.partition() + "@" + read.offset() + " read as " +
                        first.value() + " by " + first.session() + " and as " + read.value() + " by " + read.session());
                }
                continue;
            }
            partitionReads.put(read.offset(), read);
            checkSessionOrder(read, sessionMax, report);
            final Optional<RecordValue> parsed = RecordValue.parse(read.value());
            final SendResult send = parsed.map(sent::get).orElse(null);
            if (send == null)
            {
                report.violation(Rule.NEVER_SENT, read + ": " +
                    (parsed.isEmpty() ? "not a <producer>:<sequence> value" : "no producer sent " + parsed.get()));
                continue;
            }
            readAt.computeIfAbsent(send.value(), v -> new HashSet<>()).add(new Position(read.partition(), read.offset()));
            if (send instanceof SendResult.Failed)
            {
                failedButRead.add(send.value());
            }
        }

        checkDuplicateValues(readAt, report);
        checkLost(ackedAt, firstReads, readAt, report);
        checkSequences(firstReads, report);

        long distinct = 0;
        for (final TreeMap<Long, ConsumedRecord> partitionReads : firstReads.values())
        {
            distinct += partitionReads.size();
        }
        final long ackedCount = sends.stream().filter(s -> s instanceof SendResult.Acked).count();
        return report.sent(sends.size()).acked(ackedCount).failed(sends.size() - ackedCount)
            .reads(reads.size()).distinctOffsetsRead(distinct).failedButRead(failedButRead.size()).rereads(rereads)
            .build();
    }

    private static Map<RecordValue, SendResult> indexSends(final Collection<SendResult> sends)
    {
        final Map<RecordValue, SendResult> sent = new HashMap<>();
        for (final SendResult send : sends)
        {
            final SendResult earlier = sent.putIfAbsent(send.value(), send);
            if (earlier != null)
            {
                throw new IllegalArgumentException("two send results for " + send.value() + ": " + earlier + " and " + send +
                    "; every record value must be sent once (unique producer names)");
            }
        }
        return sent;
    }

    private static Map<TopicPartition, Map<Long, SendResult.Acked>> indexAcks(
        final Collection<SendResult> sends, final DeliveryReport.Builder report)
    {
        final Map<TopicPartition, Map<Long, SendResult.Acked>> ackedAt = new HashMap<>();
        for (final SendResult send : sends)
        {
            if (send instanceof SendResult.Acked acked)
            {
                final SendResult.Acked other = ackedAt.computeIfAbsent(acked.partition(), p -> new HashMap<>())
                    .putIfAbsent(acked.offset(), acked);
                if (other != null)
                {
                    report.violation(Rule.CONFLICTING_ACKS, acked.partition() + "@" + acked.offset() + " acknowledged for both " +
                        other.value() + " and " + acked.value());
                }
            }
        }
        return ackedAt;
    }

    /** A first read of an offset must be above every offset its session read of the partition before. */
    private static void checkSessionOrder(
        final ConsumedRecord read, final Map<String, Map<TopicPartition, Long>> sessionMax, final DeliveryReport.Builder report)
    {
        final Map<TopicPartition, Long> max = sessionMax.computeIfAbsent(read.session(), s -> new HashMap<>());
        final Long before = max.get(read.partition());
        if (before != null && read.offset() < before)
        {
            report.violation(Rule.OFFSET_ORDER, read.session() + " read " + read.partition() + "@" + read.offset() + " (" +
                read.value() + ") after " + read.partition() + "@" + before);
        }
        else
        {
            max.put(read.partition(), read.offset());
        }
    }

    private void checkDuplicateValues(final Map<RecordValue, Set<Position>> readAt, final DeliveryReport.Builder report)
    {
        for (final Map.Entry<RecordValue, Set<Position>> entry : readAt.entrySet())
        {
            final Set<Position> positions = entry.getValue();
            if (positions.size() < 2)
            {
                continue;
            }
            final long partitions = positions.stream().map(Position::partition).distinct().count();
            if (idempotent || partitions > 1)
            {
                final List<String> where = positions.stream().sorted().map(Position::toString).toList();
                report.violation(Rule.DUPLICATE_VALUE, entry.getKey() + " read at " + where.size() + " offsets: " +
                    String.join(", ", where));
            }
        }
    }

    private static void checkLost(
        final Map<TopicPartition, Map<Long, SendResult.Acked>> ackedAt,
        final Map<TopicPartition, TreeMap<Long, ConsumedRecord>> firstReads,
        final Map<RecordValue, Set<Position>> readAt,
        final DeliveryReport.Builder report)
    {
        final Map<TopicPartition, Map<Long, SendResult.Acked>> sorted = new TreeMap<>(
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        sorted.putAll(ackedAt);
        for (final Map.Entry<TopicPartition, Map<Long, SendResult.Acked>> partition : sorted.entrySet())
        {
            final TreeMap<Long, ConsumedRecord> partitionReads = firstReads.getOrDefault(partition.getKey(), new TreeMap<>());
            for (final SendResult.Acked acked : new TreeMap<>(partition.getValue()).values())
            {
                final Set<Position> positions = readAt.getOrDefault(acked.value(), Set.of());
                if (positions.contains(new Position(acked.partition(), acked.offset())))
                {
                    continue;
                }
                if (!positions.isEmpty())
                {
                    report.violation(Rule.ACK_MISPLACED, acked.value() + " acknowledged at " + acked.partition() + "@" +
                        acked.offset() + " but read at " + String.join(", ", positions.stream().sorted().map(Position::toString).toList()));
                    continue;
                }
                final ConsumedRecord there = partitionReads.get(acked.offset());
                final String context = there != null
                    ? "; that offset holds " + there.value() + " (read by " + there.session() + ")"
                    : partitionReads.isEmpty()
                        ? "; nothing was read from " + acked.partition()
                        : "; " + acked.partition() + " was read from offset " + partitionReads.firstKey() + " to " +
                            partitionReads.lastKey() + " (" + partitionReads.size() + " offsets)";
                report.violation(Rule.LOST, acked.value() + " acknowledged at " + acked.partition() + "@" + acked.offset() +
                    " was never read" + context);
            }
        }
    }

    /** Along each partition's offsets, every producer's sequence increases. */
    private static void checkSequences(
        final Map<TopicPartition, TreeMap<Long, ConsumedRecord>> firstReads, final DeliveryReport.Builder report)
    {
        for (final Map.Entry<TopicPartition, TreeMap<Long, ConsumedRecord>> partition : firstReads.entrySet())
        {
            final Map<String, ConsumedRecord> lastOf = new LinkedHashMap<>();
            for (final ConsumedRecord read : partition.getValue().values())
            {
                final Optional<RecordValue> value = RecordValue.parse(read.value());
                if (value.isEmpty())
                {
                    continue;
                }
                final ConsumedRecord previous = lastOf.get(value.get().producer());
                if (previous != null)
                {
                    final long before = RecordValue.parse(previous.value()).orElseThrow().sequence();
                    if (value.get().sequence() == before)
                    {
                        continue; // the same record at two offsets: DUPLICATE_VALUE's, or allowed without idempotence
                    }
                    if (value.get().sequence() < before)
                    {
                        report.violation(Rule.SEQUENCE_ORDER, partition.getKey() + "@" + read.offset() + " holds " +
                            value.get() + " after " + partition.getKey() + "@" + previous.offset() + " held " +
                            previous.value());
                        continue;
                    }
                }
                lastOf.put(value.get().producer(), read);
            }
        }
    }

    /** A partition and offset, ordered by topic, partition, offset. */
    private record Position(TopicPartition partition, long offset) implements Comparable<Position>
    {
        @Override
        public int compareTo(final Position other)
        {
            final int topic = partition.topic().compareTo(other.partition.topic());
            if (topic != 0)
            {
                return topic;
            }
            final int index = Integer.compare(partition.partition(), other.partition.partition());
            return index != 0 ? index : Long.compare(offset, other.offset);
        }

        @Override
        public String toString()
        {
            return partition + "@" + offset;
        }
    }
}
