package dev.millrace.deploy.cli;

import static dev.millrace.deploy.cli.Cli.at;
import static dev.millrace.deploy.cli.Cli.atWithInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.millrace.deploy.cli.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code millrace groups ...} against an in-JVM node: lag per partition and in total, reset, delete. */
@Timeout(180)
class GroupsCommandTest extends NodeTestSupport
{
    private static final Pattern ROW = Pattern.compile("(?m)^(\\S+)\\s+(\\d+)\\s+(\\S+)\\s+(\\d+)\\s+(\\S+)\\s+(.*)$");

    @Test
    void shouldDescribeTheLagOfAGroupThenResetAndDeleteIt()
    {
        assertEquals(0, at(bootstrap, "topics", "create", "events", "-p", "1").exitCode());
        assertEquals(0, atWithInput(bootstrap, ProduceConsumeCommandTest.lines(0, 10), "produce", "events").exitCode());

        final Result consumed = at(bootstrap, "consume", "events", "--group", "billing", "--from-beginning",
            "--max-messages", "4");
        assertEquals(0, consumed.exitCode(), consumed::toString);
        assertEquals(List.of("0", "1", "2", "3"), consumed.lines());

        final Result listed = at(bootstrap, "groups", "list");
        assertEquals(0, listed.exitCode(), listed::toString);
        assertTrue(listed.lines().contains("billing\tEmpty"), listed::toString);

        final Result described = at(bootstrap, "groups", "describe", "billing");
        assertEquals(0, described.exitCode(), described::toString);
        assertTrue(described.out().startsWith("Group: billing\tState: "), described::toString);
        assertEquals(List.of("events", "0", "4", "10", "6"), row(described.out(), "events"), described::toString);
        assertTrue(described.out().endsWith("Total lag: 6\n"), described::toString);

        // The rest, then lag 0: the group continues from its committed offset.
        final Result rest = at(bootstrap, "consume", "events", "--group", "billing");
        assertEquals(List.of("4", "5", "6", "7", "8", "9"), rest.lines(), rest::toString);
        assertTrue(at(bootstrap, "groups", "describe", "billing").out().endsWith("Total lag: 0\n"));

        final Result dryRun = at(bootstrap, "groups", "reset-offsets", "billing", "--to-earliest", "--dry-run");
        assertEquals(0, dryRun.exitCode(), dryRun::toString);
        assertTrue(dryRun.out().contains("dry run: nothing committed"), dryRun::toString);
        assertTrue(at(bootstrap, "groups", "describe", "billing").out().endsWith("Total lag: 0\n"));

        final Result shifted = at(bootstrap, "groups", "reset-offsets", "billing", "--shift-by", "-3");
        assertEquals(0, shifted.exitCode(), shifted::toString);
        assertTrue(shifted.out().contains("committed new offsets of group 'billing'"), shifted::toString);
        assertEquals(List.of("events", "0", "7", "10", "3"), row(at(bootstrap, "groups", "describe", "billing").out(),
            "events"));

        final Result earliest = at(bootstrap, "groups", "reset-offsets", "billing", "--topic", "events", "--to-earliest");
        assertEquals(0, earliest.exitCode(), earliest::toString);
        assertTrue(at(bootstrap, "groups", "describe", "billing").out().endsWith("Total lag: 10\n"));

        final Result offset = at(bootstrap, "groups", "reset-offsets", "billing", "--to-offset", "99");
        assertEquals(0, offset.exitCode(), offset::toString);
        assertTrue(at(bootstrap, "groups", "describe", "billing").out().endsWith("Total lag: 0\n"), "clamped to the end");

        final Result deleted = at(bootstrap, "groups", "delete", "billing");
        assertEquals(0, deleted.exitCode(), deleted::toString);
        assertEquals("deleted group 'billing'\n", deleted.out());
        assertTrue(at(bootstrap, "groups", "list").lines().stream().noneMatch(line -> line.startsWith("billing\t")));
    }

    @Test
    void shouldShowEveryPartitionOfTheGroupsTopicsAndCountOnlyCommittedLag()
    {
        assertEquals(0, at(bootstrap, "topics", "create", "split", "-p", "2").exitCode());
        assertEquals(0, atWithInput(bootstrap, "a\nb\nc\n", "produce", "split", "--partition", "0").exitCode());
        assertEquals(0, at(bootstrap, "consume", "split", "--group", "half", "--from-beginning", "--max-messages", "1")
            .exitCode());
        final Result described = at(bootstrap, "groups", "describe", "half");
        assertEquals(0, described.exitCode(), described::toString);
        final List<List<String>> rows = rows(described.out(), "split");
        assertEquals(List.of(List.of("split", "0", "1", "3", "2"), List.of("split", "1", "-", "0", "-")), rows,
            described::toString);
        assertTrue(described.out().endsWith("Total lag: 2\n"), described::toString);

        // A group that does not exist yet gets offsets for the named topic.
        final Result created = at(bootstrap, "groups", "reset-offsets", "fresh", "--topic", "split", "--to-offset", "2");
        assertEquals(0, created.exitCode(), created::toString);
        assertEquals(List.of(List.of("split", "0", "2", "3", "1"), List.of("split", "1", "0", "0", "0")),
            rows(at(bootstrap, "groups", "describe", "fresh").out(), "split"));
    }

    @Test
    void shouldFailWithExitOneNamingAnUnknownGroup()
    {
        final Result described = at(bootstrap, "groups", "describe", "ghost");
        assertEquals(1, described.exitCode(), described::toString);
        assertEquals("millrace groups describe: group 'ghost' does not exist\n", described.err());

        final Result deleted = at(bootstrap, "groups", "delete", "ghost");
        assertEquals(1, deleted.exitCode(), deleted::toString);
        assertTrue(deleted.err().contains("group 'ghost' does not exist"), deleted::toString);

        final Result reset = at(bootstrap, "groups", "reset-offsets", "ghost", "--to-earliest");
        assertEquals(1, reset.exitCode(), reset::toString);
        assertEquals("millrace groups reset-offsets: group 'ghost' does not exist\n", reset.err());
    }

    @Test
    void shouldExitTwoWithoutExactlyOneResetTarget()
    {
        assertEquals(2, at(bootstrap, "groups", "reset-offsets", "g").exitCode());
        assertEquals(2, at(bootstrap, "groups", "reset-offsets", "g", "--to-earliest", "--to-latest").exitCode());
        assertEquals(2, at(bootstrap, "groups").exitCode());
    }

    private static List<List<String>> rows(final String out, final String topic)
    {
        final List<List<String>> rows = new java.util.ArrayList<>();
        final Matcher matcher = ROW.matcher(out);
        while (matcher.find())
        {
            if (matcher.group(1).equals(topic))
            {
                rows.add(List.of(matcher.group(1), matcher.group(2), matcher.group(3), matcher.group(4), matcher.group(5)));
            }
        }
        return rows;
    }

    /** The describe row of the topic's partition: topic, partition, current offset, log end offset, lag. */
    private static List<String> row(final String out, final String topic)
    {
        final Matcher matcher = ROW.matcher(out);
        while (matcher.find())
        {
            if (matcher.group(1).equals(topic))
            {
                return List.of(matcher.group(1), matcher.group(2), matcher.group(3), matcher.group(4), matcher.group(5));
            }
        }
        throw new AssertionError("no row of " + topic + " in\n" + out);
    }
}
