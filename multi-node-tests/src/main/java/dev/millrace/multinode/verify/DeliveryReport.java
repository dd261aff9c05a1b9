package dev.millrace.multinode.verify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link DeliveryCheck} found: counts of what was sent and read, and for each {@link Rule} how many times it
 * was broken with the first few violations as precise messages (partition, offset, value, consumer session).
 * Immutable once built.
 */
public final class DeliveryReport
{
    /** The rules {@link DeliveryCheck} verifies; each violation names one. */
    public enum Rule
    {
        /** An acknowledged record was not read back at its acknowledged partition and offset, nor anywhere else. */
        LOST("acknowledged but never read"),
        /** An acknowledged record was read, but not at the partition and offset its acknowledgement gave. */
        ACK_MISPLACED("read elsewhere than acknowledged"),
        /** Two different records were acknowledged at the same partition and offset. */
        CONFLICTING_ACKS("two records acknowledged at one offset"),
        /** One partition and offset was read with two different values. */
        CONFLICTING_OFFSET("one offset read with two values"),
        /** One partition and offset was read more than once (a re-delivery; see DeliveryCheck.allowRereads). */
        DUPLICATE_OFFSET("one offset read more than once"),
        /**
         * One sent record is at two offsets of a partition (with idempotence on), or in two partitions (always
         * wrong: a send goes to one partition).
         */
        DUPLICATE_VALUE("one record at two offsets"),
        /** A consumer session read an offset of a partition below one it had already read there for the first time. */
        OFFSET_ORDER("offsets out of order within a session"),
        /** In a partition's offset order, a producer's sequence did not increase. */
        SEQUENCE_ORDER("a producer's records out of order in a partition"),
        /** A record was read that no producer sent. */
        NEVER_SENT("read but never sent");

        private final String description;

        Rule(final String description)
        {
            this.description = description;
        }

        /** A few words saying what breaking the rule means. */
        public String description()
        {
            return description;
        }
    }

    private final Map<Rule, Integer> counts;
    private final Map<Rule, List<String>> examples;
    private final long sent;
    private final long acked;
    private final long failed;
    private final long reads;
    private final long distinctOffsetsRead;
    private final long failedButRead;
    private final long rereads;

    private DeliveryReport(final Builder builder)
    {
        this.counts = Collections.unmodifiableMap(new EnumMap<>(builder.counts));
        final Map<Rule, List<String>> copy = new EnumMap<>(Rule.class);
        builder.examples.forEach((rule, messages) -> copy.put(rule, List.copyOf(messages)));
        this.examples = Collections.unmodifiableMap(copy);
        this.sent = builder.sent;
        this.acked = builder.acked;
        this.failed = builder.failed;
        this.reads = builder.reads;
        this.distinctOffsetsRead = builder.distinctOffsetsRead;
        this.failedButRead = builder.failedButRead;
        this.rereads = builder.rereads;
    }

    /** Whether no rule was broken. */
    public boolean passed()
    {
        return counts.isEmpty();
    }

    /** How many times {@code rule} was broken. */
    public int count(final Rule rule)
    {
        return counts.getOrDefault(rule, 0);
    }

    /** The first violations of {@code rule}, as messages (at most the check's {@code maxExamples}). */
    public List<String> violations(final Rule rule)
    {
        return examples.getOrDefault(rule, List.of());
    }

    /** The rules broken, with their counts. */
    public Map<Rule, Integer> counts()
    {
        return counts;
    }

    /** Records sent (acknowledged or failed). */
    public long sent()
    {
        return sent;
    }

    /** Records acknowledged. */
    public long acked()
    {
        return acked;
    }

    /** Records whose send failed (they may or may not be in the log). */
    public long failed()
    {
        return failed;
    }

    /** Records read, every re-delivery included. */
    public long reads()
    {
        return reads;
    }

    /** Distinct partition offsets read. */
    public long distinctOffsetsRead()
    {
        return distinctOffsetsRead;
    }

    /** Distinct records whose send failed but which were read back (written, but the answer was lost). */
    public long failedButRead()
    {
        return failedButRead;
    }

    /** Reads of an offset already read with the same value (re-deliveries). */
    public long rereads()
    {
        return rereads;
    }

    /** One line of counts, then each broken rule with its count and first violations. */
    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder()
            .append(passed() ? "delivery check passed" : "delivery check FAILED")
            .append(": sent ").append(sent).append(", acked ").append(acked).append(", failed ").append(failed)
            .append(", reads ").append(reads).append(", distinct offsets read ").append(distinctOffsetsRead)
            .append(", failed but read ").append(failedButRead).append(", re-reads ").append(rereads);
        counts.forEach((rule, count) ->
        {
            text.append(System.lineSeparator()).append("  ").append(rule).append(" (").append(rule.description())
                .append("): ").append(count);
            for (final String message : violations(rule))
            {
                text.append(System.lineSeparator()).append("    ").append(message);
            }
            if (count > violations(rule).size())
            {
                text.append(System.lineSeparator()).append("    ... ").append(count - violations(rule).size()).append(" more");
            }
        });
        return text.toString();
    }

    static Builder builder(final int maxExamples)
    {
        return new Builder(maxExamples);
    }

    /** Collects a report; used by one thread, {@link DeliveryCheck}. */
    static final class Builder
    {
        private final int maxExamples;
        private final Map<Rule, Integer> counts = new EnumMap<>(Rule.class);
        private final Map<Rule, List<String>> examples = new EnumMap<>(Rule.class);
        private long sent;
        private long acked;
        private long failed;
        private long reads;
        private long distinctOffsetsRead;
        private long failedButRead;
        private long rereads;

        private Builder(final int maxExamples)
        {
            this.maxExamples = maxExamples;
        }

        void violation(final Rule rule, final String message)
        {
            counts.merge(rule, 1, Integer::sum);
            final List<String> messages = examples.computeIfAbsent(rule, r -> new ArrayList<>());
            if (messages.size() < maxExamples)
            {
                messages.add(message);
            }
        }

        Builder sent(final long count)
        {
            this.sent = count;
            return this;
        }

        Builder acked(final long count)
        {
            this.acked = count;
            return this;
        }

        Builder failed(final long count)
        {
            this.failed = count;
            return this;
        }

        Builder reads(final long count)
        {
            this.reads = count;
            return this;
        }

        Builder distinctOffsetsRead(final long count)
        {
            this.distinctOffsetsRead = count;
            return this;
        }

        Builder failedButRead(final long count)
        {
            this.failedButRead = count;
            return this;
        }

        Builder rereads(final long count)
        {
            this.rereads = count;
            return this;
        }

        DeliveryReport build()
        {
            return new DeliveryReport(this);
        }
    }
}
