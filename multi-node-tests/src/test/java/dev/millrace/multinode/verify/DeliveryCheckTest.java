package dev.millrace.multinode.verify;

import java.util.ArrayList;
import java.util.List;

import dev.millrace.multinode.verify.DeliveryReport.Rule;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DeliveryCheck} on hand-built histories: a correct one passes, and for every rule a history that breaks only
 * that rule fails it, with a message naming the partition, offset and value.
 */
@Timeout(10)
class DeliveryCheckTest
{
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private final List<SendResult> sends = new ArrayList<>();
    private final List<ConsumedRecord> reads = new ArrayList<>();

    private static RecordValue value(final String producer, final long sequence)
    {
        return new RecordValue(producer, sequence);
    }

    private void acked(final String producer, final long sequence, final TopicPartition partition, final long offset)
    {
        sends.add(new SendResult.Acked(value(producer, sequence), partition, offset));
    }

    private void failed(final String producer, final long sequence, final TopicPartition partition)
    {
        sends.add(new SendResult.Failed(value(producer, sequence), partition, "TimeoutException: expired"));
    }

    private void read(final String session, final TopicPartition partition, final long offset, final String value)
    {
        reads.add(new ConsumedRecord(session, partition, offset, value));
    }

    /** Two producers over two partitions, all acknowledged and read back in order by two sessions. */
    private void correctHistory()
    {
        acked("a", 0, P0, 0);
        acked("b", 0, P0, 1);
        acked("a", 1, P1, 0);
        acked("a", 2, P0, 2);
        acked("b", 1, P1, 1);
        read("s1", P0, 0, "a:0");
        read("s1", P1, 0, "a:1");
        read("s1", P0, 1, "b:0");
        read("s2", P0, 2, "a:2");
        read("s2", P1, 1, "b:1");
    }

    private DeliveryReport check()
    {
        return DeliveryCheck.strict().check(sends, reads);
    }

    /** The report broke exactly {@code rule} and its first message contains every fragment. */
    private static void assertOnly(final DeliveryReport report, final Rule rule, final String... fragments)
    {
        assertFalse(report.passed(), report.toString());
        assertEquals(List.of(rule), List.copyOf(report.counts().keySet()), report.toString());
        final String message = report.violations(rule).get(0);
        for (final String fragment : fragments)
        {
            assertTrue(message.contains(fragment), "'" + message + "' should contain '" + fragment + "'");
        }
    }

    @Test
    void shouldPassACorrectHistory()
    {
        correctHistory();
        final DeliveryReport report = check();
        assertTrue(report.passed(), report.toString());
        assertEquals(5, report.sent());
        assertEquals(5, report.acked());
        assertEquals(5, report.reads());
        assertEquals(5, report.distinctOffsetsRead());
    }

    @Test
    void shouldAllowAFailedSendToBeReadOrNot()
    {
        correctHistory();
        failed("a", 3, P0);
        failed("a", 4, P1);
        read("s2", P0, 3, "a:3");
        final DeliveryReport report = check();
        assertTrue(report.passed(), report.toString());
        assertEquals(2, report.failed());
        assertEquals(1, report.failedButRead());
    }

    @Test
    void shouldReportAnAcknowledgedRecordNeverRead()
    {
        correctHistory();
        acked("a", 3, P0, 3);
        acked("a", 4, P0, 4);
        read("s2", P0, 4, "a:4");
        assertOnly(check(), Rule.LOST, "a:3", "t-0@3", "never read", "from offset 0 to 4");
    }

    @Test
    void shouldReportAnAcknowledgedOffsetHoldingAnotherRecord()
    {
        correctHistory();
        acked("a", 3, P0, 3);
        failed("b", 2, P0);
        read("s2", P0, 3, "b:2");
        final DeliveryReport report = check();
        assertOnly(report, Rule.LOST, "a:3", "t-0@3", "that offset holds b:2");
    }

    @Test
    void shouldReportARecordReadElsewhereThanAcknowledged()
    {
        correctHistory();
        acked("a", 3, P0, 3);
        read("s2", P0, 4, "a:3");
        assertOnly(check(), Rule.ACK_MISPLACED, "a:3 acknowledged at t-0@3 but read at t-0@4");
    }

    @Test
    void shouldReportTwoRecordsAcknowledgedAtOneOffset()
    {
        correctHistory();
        acked("a", 3, P0, 3);
        acked("b", 2, P0, 3);
        read("s2", P0, 3, "a:3");
        final DeliveryReport report = check();
        // b:2 is also never read at its offset: the broker acknowledged it where another record is.
        assertTrue(report.count(Rule.CONFLICTING_ACKS) == 1, report.toString());
        assertTrue(report.violations(Rule.CONFLICTING_ACKS).get(0).contains("t-0@3 acknowledged for both a:3 and b:2"),
            report.toString());
    }

    @Test
    void shouldReportAnOffsetReadWithTwoValues()
    {
        correctHistory();
        failed("a", 3, P0);
        failed("b", 2, P0);
        read("s2", P0, 3, "a:3");
        read("s3", P0, 3, "b:2");
        assertOnly(check(), Rule.CONFLICTING_OFFSET, "t-0@3 read as a:3 by s2 and as b:2 by s3");
    }

    @Test
    void shouldReportAnOffsetReadTwiceUnlessRereadsAreAllowed()
    {
        correctHistory();
        read("s3", P0, 2, "a:2");
        assertOnly(check(), Rule.DUPLICATE_OFFSET, "t-0@2 (a:2) read again by s3, first read by s2");

        final DeliveryReport lenient = DeliveryCheck.strict().allowRereads(true).check(sends, reads);
        assertTrue(lenient.passed(), lenient.toString());
        assertEquals(1, lenient.rereads());
    }

    @Test
    void shouldReportARecordAtTwoOffsetsOfAPartitionWhenIdempotent()
    {
        correctHistory();
        read("s2", P0, 3, "a:2");
        final DeliveryReport report = check();
        assertOnly(report, Rule.DUPLICATE_VALUE, "a:2 read at 2 offsets: t-0@2, t-0@3");

        final DeliveryReport withoutIdempotence = DeliveryCheck.strict().idempotent(false).check(sends, reads);
        assertTrue(withoutIdempotence.passed(), withoutIdempotence.toString());
    }

    @Test
    void shouldReportARecordInTwoPartitionsEvenWithoutIdempotence()
    {
        correctHistory();
        read("s2", P1, 2, "a:2");
        final DeliveryReport report = DeliveryCheck.strict().idempotent(false).check(sends, reads);
        assertTrue(report.count(Rule.DUPLICATE_VALUE) == 1, report.toString());
        assertTrue(report.violations(Rule.DUPLICATE_VALUE).get(0).contains("t-0@2, t-1@2"), report.toString());
    }

    @Test
    void shouldReportOffsetsGoingBackWithinASession()
    {
        acked("a", 0, P0, 0);
        acked("a", 1, P0, 1);
        read("s1", P0, 1, "a:1");
        read("s1", P0, 0, "a:0");
        final DeliveryReport report = check();
        assertTrue(report.count(Rule.OFFSET_ORDER) == 1, report.toString());
        assertTrue(report.violations(Rule.OFFSET_ORDER).get(0).contains("s1 read t-0@0 (a:0) after t-0@1"), report.toString());
    }

    @Test
    void shouldLetANewSessionStartBelowAnEarlierOne()
    {
        acked("a", 0, P0, 0);
        acked("a", 1, P0, 1);
        read("s1", P0, 1, "a:1");
        read("s2", P0, 0, "a:0");
        assertTrue(check().passed(), check().toString());
    }

    @Test
    void shouldReportAProducersSequenceGoingBackAlongAPartition()
    {
        acked("a", 0, P0, 0);
        acked("a", 2, P0, 1);
        acked("a", 1, P0, 2);
        read("s1", P0, 0, "a:0");
        read("s1", P0, 1, "a:2");
        read("s1", P0, 2, "a:1");
        assertOnly(check(), Rule.SEQUENCE_ORDER, "t-0@2 holds a:1 after t-0@1 held a:2");
    }

    @Test
    void shouldNotMixProducersSequences()
    {
        acked("a", 5, P0, 0);
        acked("b", 0, P0, 1);
        read("s1", P0, 0, "a:5");
        read("s1", P0, 1, "b:0");
        assertTrue(check().passed(), check().toString());
    }

    @Test
    void shouldReportRecordsNoProducerSent()
    {
        correctHistory();
        read("s2", P0, 3, "a:99");
        read("s2", P0, 4, "garbage");
        read("s2", P0, 5, null);
        final DeliveryReport report = check();
        assertOnly(report, Rule.NEVER_SENT, "t-0@3=a:99", "no producer sent a:99");
        assertEquals(3, report.count(Rule.NEVER_SENT));
        assertTrue(report.violations(Rule.NEVER_SENT).get(1).contains("not a <producer>:<sequence> value"), report.toString());
    }

    @Test
    void shouldKeepOnlyTheFirstExamplesButCountAll()
    {
        for (int i = 0; i < 5; i++)
        {
            acked("a", i, P0, i);
        }
        final DeliveryReport report = DeliveryCheck.strict().maxExamples(2).check(sends, reads);
        assertEquals(5, report.count(Rule.LOST));
        assertEquals(2, report.violations(Rule.LOST).size());
        assertTrue(report.violations(Rule.LOST).get(0).contains("a:0"), report.toString());
        assertTrue(report.toString().contains("... 3 more"), report.toString());
    }

    @Test
    void shouldRefuseTwoResultsForOneValue()
    {
        acked("a", 0, P0, 0);
        failed("a", 0, P0);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, this::check);
        assertTrue(ex.getMessage().contains("two send results for a:0"), ex.getMessage());
    }

    @Test
    void shouldParseOnlyProducerColonSequence()
    {
        assertEquals(value("p-1", 42), RecordValue.parse("p-1:42").orElseThrow());
        assertTrue(RecordValue.parse("p:").isEmpty());
        assertTrue(RecordValue.parse(":1").isEmpty());
        assertTrue(RecordValue.parse("a:b:1").isEmpty());
        assertTrue(RecordValue.parse("p:-1").isEmpty());
        assertTrue(RecordValue.parse("p:x").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> value("a:b", 0));
    }
}
