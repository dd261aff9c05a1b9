package dev.millrace.deploy.cli;

import static dev.millrace.deploy.cli.Cli.at;
import static dev.millrace.deploy.cli.Cli.atWithInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.millrace.deploy.cli.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code millrace produce} and {@code millrace consume} against an in-JVM node. */
@Timeout(180)
class ProduceConsumeCommandTest extends NodeTestSupport
{
    @TempDir
    Path files;

    @Test
    void shouldProduceKeyedLinesWithHeadersAndConsumeThemFormatted()
    {
        assertEquals(0, at(bootstrap, "topics", "create", "keyed", "-p", "1").exitCode());
        final Result produced = atWithInput(bootstrap, "k1:v1\nk2:v2:with colon\nk3:\n", "produce", "keyed",
            "--key-separator", ":", "--header", "source=test", "--header", "v=1", "--compression", "zstd");
        assertEquals(0, produced.exitCode(), produced::toString);
        assertTrue(produced.err().startsWith("produced 3 records to topic 'keyed'"), produced::toString);

        final Result consumed = at(bootstrap, "consume", "keyed", "--from-beginning", "--print-key", "--print-headers",
            "--print-partition", "--print-offset", "--separator", "|");
        assertEquals(0, consumed.exitCode(), consumed::toString);
        assertEquals(List.of(
            "Partition:0|Offset:0|source:test,v:1|k1|v1",
            "Partition:0|Offset:1|source:test,v:1|k2|v2:with colon",
            "Partition:0|Offset:2|source:test,v:1|k3|"), consumed.lines());
        assertEquals("consumed 3 records from topic 'keyed'\n", consumed.err());

        final Result timestamps = at(bootstrap, "consume", "keyed", "--from-beginning", "--print-timestamp",
            "--no-print-value", "--max-messages", "1");
        assertEquals(0, timestamps.exitCode(), timestamps::toString);
        assertTrue(timestamps.out().matches("CreateTime:\\d{13}\n"), timestamps::toString);
    }

    @Test
    void shouldConsumeFromAPartitionAndOffsetAndStopAtTheEndSeenAtStart()
    {
        assertEquals(0, at(bootstrap, "topics", "create", "numbers", "-p", "1").exitCode());
        assertEquals(0, atWithInput(bootstrap, lines(0, 10), "produce", "numbers", "--acks", "1").exitCode());

        final Result fromOffset = at(bootstrap, "consume", "numbers", "--partition", "0", "--offset", "7");
        assertEquals(0, fromOffset.exitCode(), fromOffset::toString);
        assertEquals(List.of("7", "8", "9"), fromOffset.lines());

        final Result latest = at(bootstrap, "consume", "numbers", "--partition", "0");
        assertEquals(0, latest.exitCode(), latest::toString);
        assertEquals(List.of(), latest.lines());

        final Result limited = at(bootstrap, "consume", "numbers", "--partition", "0", "--offset", "earliest",
            "--max-messages", "4");
        assertEquals(List.of("0", "1", "2", "3"), limited.lines());

        final Result future = at(bootstrap, "consume", "numbers", "--from-timestamp", "2999-01-01T00:00:00Z");
        assertEquals(0, future.exitCode(), future::toString);
        assertEquals(List.of(), future.lines());
        final Result past = at(bootstrap, "consume", "numbers", "--from-timestamp", "0");
        assertEquals(10, past.lines().size(), past::toString);
    }

    @Test
    void shouldFollowUntilMaxMessages()
    {
        assertEquals(0, at(bootstrap, "topics", "create", "followed", "-p", "2").exitCode());
        assertEquals(0, atWithInput(bootstrap, lines(0, 6), "produce", "followed").exitCode());
        final Result followed = at(bootstrap, "consume", "followed", "--from-beginning", "--follow",
            "--max-messages", "6");
        assertEquals(0, followed.exitCode(), followed::toString);
        assertEquals(Set.of("0", "1", "2", "3", "4", "5"), new HashSet<>(followed.lines()));
    }

    @Test
    void shouldProduceAFileWithEveryCodecAndShowProgress() throws IOException
    {
        final Path file = files.resolve("records.txt");
        Files.writeString(file, lines(0, 2_000), StandardCharsets.UTF_8);
        assertEquals(0, at(bootstrap, "topics", "create", "bulk", "-p", "3").exitCode());
        final List<String> codecs = List.of("none", "gzip", "snappy", "lz4", "zstd");
        for (final String codec : codecs)
        {
            final Result produced = at(bootstrap, "produce", "bulk", "--file", file.toString(), "--compression", codec);
            assertEquals(0, produced.exitCode(), produced::toString);
            assertTrue(produced.err().contains("] 100%  2000 records"), produced::toString);
            assertTrue(produced.err().contains("produced 2000 records to topic 'bulk'"), produced::toString);
        }
        final Result consumed = at(bootstrap, "consume", "bulk", "--from-beginning");
        assertEquals(0, consumed.exitCode(), consumed::toString);
        final List<String> values = new ArrayList<>(consumed.lines());
        assertEquals(2_000 * codecs.size(), values.size());
        final Set<String> distinct = new HashSet<>(values);
        assertEquals(2_000, distinct.size());
    }

    @Test
    void shouldFailWithExitOneNamingAnUnknownTopicOrFile()
    {
        final Result produced = atWithInput(bootstrap, "x\n", "produce", "missing");
        assertEquals(1, produced.exitCode(), produced::toString);
        assertEquals("millrace produce: topic 'missing' does not exist\n", produced.err());

        final Result consumed = at(bootstrap, "consume", "missing", "--from-beginning");
        assertEquals(1, consumed.exitCode(), consumed::toString);
        assertEquals("millrace consume: topic 'missing' does not exist\n", consumed.err());

        assertEquals(0, at(bootstrap, "topics", "create", "one", "-p", "1").exitCode());
        final Result noFile = at(bootstrap, "produce", "one", "--file", files.resolve("absent.txt").toString());
        assertEquals(1, noFile.exitCode(), noFile::toString);
        assertTrue(noFile.err().contains("no such file"), noFile::toString);

        final Result noPartition = at(bootstrap, "consume", "one", "--partition", "5");
        assertEquals(1, noPartition.exitCode(), noPartition::toString);
        assertEquals("millrace consume: topic 'one' has no partition 5 (it has 1)\n", noPartition.err());

        final Result noSeparator = atWithInput(bootstrap, "a=1\nb\n", "produce", "one", "--key-separator", "=");
        assertEquals(1, noSeparator.exitCode(), noSeparator::toString);
        assertTrue(noSeparator.err().contains("line 2 has no key separator '='"), noSeparator::toString);
    }

    @Test
    void shouldExitTwoOnBadOptions()
    {
        assertEquals(2, atWithInput(bootstrap, "x\n", "produce", "t", "--acks", "2").exitCode());
        assertEquals(2, atWithInput(bootstrap, "x\n", "produce", "t", "--compression", "brotli").exitCode());
        assertEquals(2, at(bootstrap, "consume", "t", "--group", "g", "--partition", "0").exitCode());
        assertEquals(2, at(bootstrap, "consume", "t", "--offset", "3").exitCode());
        assertEquals(2, at(bootstrap, "consume", "t", "--from-timestamp", "yesterday").exitCode());
        assertEquals(2, at(bootstrap, "consume", "t", "--from-beginning", "--partition", "0", "--offset", "1").exitCode());
    }

    @Test
    void shouldFailWithinTheTimeoutWhenTheBootstrapServerIsUnreachable()
    {
        final Result produced = Cli.runWithInput("x\n", "produce", "t", "-b", "127.0.0.1:1", "--timeout", "2s");
        assertEquals(1, produced.exitCode(), produced::toString);
        assertEquals("millrace produce: no answer from 127.0.0.1:1 within 2s (is a node running there?)\n",
            produced.err());
        final Result consumed = Cli.run("consume", "t", "-b", "127.0.0.1:1", "--timeout", "2s");
        assertEquals(1, consumed.exitCode(), consumed::toString);
        assertEquals("millrace consume: no answer from 127.0.0.1:1 within 2s (is a node running there?)\n",
            consumed.err());
    }

    static String lines(final int from, final int to)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = from; i < to; i++)
        {
            text.append(i).append('\n');
        }
        return text.toString();
    }
}
