package dev.millrace.deploy.cli;

import static dev.millrace.deploy.cli.Cli.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import dev.millrace.deploy.cli.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code millrace topics ...} against an in-JVM node: output, exit codes and the error messages. */
@Timeout(120)
class TopicsCommandTest extends NodeTestSupport
{
    @Test
    void shouldCreateListDescribeAlterAndDeleteATopic()
    {
        final Result created = at(bootstrap, "topics", "create", "orders", "--partitions", "3", "--config",
            "retention.ms=3600000");
        assertEquals(0, created.exitCode(), created::toString);
        assertEquals("created topic 'orders' with 3 partitions, replication factor 1\n", created.out());

        assertEquals(0, at(bootstrap, "topics", "create", "audit", "-p", "1").exitCode());
        final Result listed = at(bootstrap, "topics", "list");
        assertEquals(0, listed.exitCode(), listed::toString);
        // Other tests share the node: only these two and the order matter here.
        assertEquals(List.of("audit", "orders"),
            listed.lines().stream().filter(name -> name.equals("audit") || name.equals("orders")).toList());
        assertEquals(listed.lines().stream().sorted().toList(), listed.lines(), "sorted");

        final Result described = at(bootstrap, "topics", "describe", "orders");
        assertEquals(0, described.exitCode(), described::toString);
        assertTrue(described.out().contains("Topic: orders\t"), described::toString);
        assertTrue(described.out().contains("PartitionCount: 3\tReplicationFactor: 1\tConfigs: retention.ms=3600000"),
            described::toString);
        for (int p = 0; p < 3; p++)
        {
            assertTrue(described.out().contains("\tPartition: " + p + "\tLeader: 0\tReplicas: 0\tIsr: 0\tStartOffset: 0" +
                "\tEndOffset: 0"), described::toString);
        }

        final Result altered = at(bootstrap, "topics", "alter", "orders", "--config", "retention.ms=7200000");
        assertEquals(0, altered.exitCode(), altered::toString);
        assertEquals("altered topic 'orders' settings: retention.ms=7200000\n", altered.out());
        assertTrue(at(bootstrap, "topics", "describe", "orders").out().contains("Configs: retention.ms=7200000"));

        final Result deleted = at(bootstrap, "topics", "delete", "orders", "audit");
        assertEquals(0, deleted.exitCode(), deleted::toString);
        assertEquals(List.of("deleted topic 'orders'", "deleted topic 'audit'"), deleted.lines());
        assertTrue(at(bootstrap, "topics", "list").lines().stream().noneMatch(n -> n.equals("orders") || n.equals("audit")));
    }

    @Test
    void shouldGrowATopicOrSayTheNodeCannotYet()
    {
        assertEquals(0, at(bootstrap, "topics", "create", "growing", "-p", "1").exitCode());
        final Result grown = at(bootstrap, "topics", "alter", "growing", "--partitions", "3");
        if (grown.exitCode() == 0)
        {
            assertEquals("topic 'growing' now has 3 partitions\n", grown.out());
            assertTrue(at(bootstrap, "topics", "describe", "growing").out().contains("PartitionCount: 3\t"));
        }
        else
        {
            // CreatePartitions is not in every node's listener yet: a clear exit 1, never a crash.
            assertEquals(1, grown.exitCode(), grown::toString);
            assertTrue(grown.err().startsWith(
                "millrace topics alter: topic 'growing': the node does not support this operation"), grown::toString);
        }
        assertEquals(0, at(bootstrap, "topics", "delete", "growing").exitCode());
    }

    @Test
    void shouldFailWithExitOneNamingAnUnknownTopic()
    {
        final Result described = at(bootstrap, "topics", "describe", "nope");
        assertEquals(1, described.exitCode(), described::toString);
        assertEquals("millrace topics describe: topic 'nope' does not exist\n", described.err());

        final Result deleted = at(bootstrap, "topics", "delete", "nope");
        assertEquals(1, deleted.exitCode(), deleted::toString);
        assertTrue(deleted.err().contains("topic 'nope' does not exist"), deleted::toString);
        assertEquals(0, at(bootstrap, "topics", "delete", "nope", "--if-exists").exitCode());

        final Result altered = at(bootstrap, "topics", "alter", "nope", "--config", "retention.ms=1");
        assertEquals(1, altered.exitCode(), altered::toString);
        assertTrue(altered.err().contains("topic 'nope' does not exist"), altered::toString);
    }

    @Test
    void shouldRefuseAnExistingTopicUnlessIfNotExists()
    {
        assertEquals(0, at(bootstrap, "topics", "create", "twice").exitCode());
        final Result again = at(bootstrap, "topics", "create", "twice");
        assertEquals(1, again.exitCode(), again::toString);
        assertEquals("millrace topics create: topic 'twice' already exists\n", again.err());
        final Result tolerated = at(bootstrap, "topics", "create", "twice", "--if-not-exists");
        assertEquals(0, tolerated.exitCode(), tolerated::toString);
        assertEquals(0, at(bootstrap, "topics", "delete", "twice").exitCode());
    }

    @Test
    void shouldFailWithExitOneNamingABadTopicConfigKey()
    {
        final Result created = at(bootstrap, "topics", "create", "bad", "--config", "retention.mss=1");
        assertEquals(1, created.exitCode(), created::toString);
        assertTrue(created.err().startsWith("millrace topics create: topic 'bad': refused by the node: "), created::toString);
        assertTrue(created.err().contains("retention.mss"), created::toString);
        assertEquals(List.of(), at(bootstrap, "topics", "list").lines().stream().filter("bad"::equals).toList());
    }

    @Test
    void shouldExitTwoOnUsageErrors()
    {
        final Result noSubcommand = Cli.run("topics");
        assertEquals(2, noSubcommand.exitCode(), noSubcommand::toString);
        assertTrue(noSubcommand.err().contains("a subcommand is required"), noSubcommand::toString);

        final Result badConfig = at(bootstrap, "topics", "create", "x", "--config", "retention.ms");
        assertEquals(2, badConfig.exitCode(), badConfig::toString);

        final Result badPartitions = at(bootstrap, "topics", "create", "x", "--partitions", "zero");
        assertEquals(2, badPartitions.exitCode(), badPartitions::toString);

        final Result nothing = at(bootstrap, "topics", "alter", "x");
        assertEquals(2, nothing.exitCode(), nothing::toString);
        assertTrue(nothing.err().contains("nothing to change"), nothing::toString);

        final Result unknown = Cli.run("topicz");
        assertEquals(2, unknown.exitCode(), unknown::toString);
    }

    @Test
    void shouldFailWithinTheTimeoutWhenTheBootstrapServerIsUnreachable()
    {
        final long startNs = System.nanoTime();
        final Result listed = Cli.run("topics", "list", "--bootstrap-server", "127.0.0.1:1", "--timeout", "2s");
        final long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
        assertEquals(1, listed.exitCode(), listed::toString);
        assertEquals("millrace topics list: no answer from 127.0.0.1:1 within 2s (is a node running there?)\n",
            listed.err());
        assertTrue(elapsedMs < 15_000, "took " + elapsedMs + " ms");
    }
}
