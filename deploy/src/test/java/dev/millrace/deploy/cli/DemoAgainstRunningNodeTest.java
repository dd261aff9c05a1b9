package dev.millrace.deploy.cli;

import static dev.millrace.deploy.cli.Cli.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.millrace.deploy.cli.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code millrace demo -b ...} generates into a running node; then the commands it prints work as printed. */
@Timeout(120)
class DemoAgainstRunningNodeTest extends NodeTestSupport
{
    private static final Pattern ROW = Pattern.compile("(?m)^payments\\s+(\\d+)\\s+(\\S+)\\s+(\\d+)\\s+(\\S+)\\s+(.*)$");

    @Test
    void shouldGenerateIntoARunningNodeAndLetAGroupConsumeIt()
    {
        final Result demo = Cli.run("demo", "-b", bootstrap, "--count", "120", "--rate", "0", "--partitions", "3");
        assertEquals(0, demo.exitCode(), demo::toString);
        assertTrue(demo.out().contains("millrace demo generated 120 payments into topic 'payments'"), demo::toString);
        assertTrue(!demo.out().contains("millrace demo ready"), "no node of its own: " + demo);

        final Result five = at(bootstrap, "consume", "payments", "--group", "fraud-check", "--from-beginning",
            "--max-messages", "5", "--print-key");
        assertEquals(5, five.lines().size(), five::toString);
        final Result lag = at(bootstrap, "groups", "describe", "fraud-check");
        assertEquals(0, lag.exitCode(), lag::toString);
        // Five records read from the start: the committed offsets add up to 5, the total lag is what is left of
        // the committed partitions, and every partition of the topic has a row.
        final Matcher row = ROW.matcher(lag.out());
        long committed = 0;
        long expectedLag = 0;
        int rows = 0;
        while (row.find())
        {
            rows++;
            if (!"-".equals(row.group(2)))
            {
                committed += Long.parseLong(row.group(2));
                expectedLag += Long.parseLong(row.group(3)) - Long.parseLong(row.group(2));
            }
        }
        assertEquals(3, rows, lag::toString);
        assertEquals(5, committed, lag::toString);
        assertTrue(lag.out().endsWith("Total lag: " + expectedLag + "\n"), lag::toString);

        final Result rest = at(bootstrap, "consume", "payments", "--group", "fraud-check", "--from-beginning");
        assertEquals(115, rest.lines().size(), rest::toString);
        assertTrue(at(bootstrap, "groups", "describe", "fraud-check").out().endsWith("Total lag: 0\n"));
    }
}
