package dev.millrace.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.millrace.broker.node.BrokerNode;
import dev.millrace.deploy.cli.Cli.Result;
import dev.millrace.deploy.demo.PaymentGeneratorTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code millrace demo}: starts its own node, writes payments, and they are there after it stopped. */
class DemoCommandTest
{
    private static final Pattern CARD = Pattern.compile("\"card_token\":\"(tok_[0-9a-f]{12})\"");

    @TempDir
    Path dataDir;

    @Test
    @Timeout(120)
    void shouldStartANodeCreatePaymentsAndGenerateTheGivenCount()
    {
        final Result demo = Cli.run("demo", "--data-dir", dataDir.toString(), "--port", "0", "--count", "300",
            "--rate", "0", "--exit");
        assertEquals(0, demo.exitCode(), demo::toString);
        assertTrue(demo.out().startsWith("millrace demo ready: kafka bootstrap 127.0.0.1:"), demo::toString);
        assertTrue(demo.out().contains("into topic 'payments' (6 partitions)"), demo::toString);
        assertTrue(demo.out().contains("./millrace consume payments -b 127.0.0.1:"), demo::toString);
        assertTrue(demo.out().contains("./millrace groups describe fraud-check -b 127.0.0.1:"), demo::toString);
        assertTrue(demo.out().contains("millrace demo generated 300 payments into topic 'payments'"), demo::toString);

        // The same data directory under a new node: all 300, keyed by the card token in the value.
        try (BrokerNode node = BrokerNode.start(NodeTestSupport.nodeConfig(dataDir)))
        {
            final String bootstrap = "127.0.0.1:" + node.kafkaPort();
            final Result consumed = Cli.at(bootstrap, "consume", "payments", "--from-beginning", "--print-key",
                "--print-partition");
            assertEquals(0, consumed.exitCode(), consumed::toString);
            final List<String> lines = consumed.lines();
            assertEquals(300, lines.size(), consumed::toString);
            final Set<String> partitions = new HashSet<>();
            for (final String line : lines)
            {
                final String[] fields = line.split("\t", 3);
                partitions.add(fields[0]);
                final Matcher card = CARD.matcher(fields[2]);
                assertTrue(card.find(), line);
                assertEquals(card.group(1), fields[1], "keyed by card token: " + line);
                assertTrue(PaymentGeneratorTest.JSON.matcher(fields[2]).matches(), line);
            }
            assertEquals(6, partitions.size(), "spread over every partition by key");
        }
    }

    @Test
    @Timeout(60)
    void shouldExitTwoOnBadOptions()
    {
        assertEquals(2, Cli.run("demo", "--partitions", "0", "--data-dir", dataDir.toString()).exitCode());
        assertEquals(2, Cli.run("demo", "--duration", "soon", "--data-dir", dataDir.toString()).exitCode());
    }
}
