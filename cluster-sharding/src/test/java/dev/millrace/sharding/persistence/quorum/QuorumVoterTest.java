package dev.millrace.sharding.persistence.quorum;

import com.typesafe.config.ConfigFactory;
import dev.millrace.sharding.persistence.JournalProtocolClient;
import dev.millrace.transport.EmbeddedMediaDriver;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A voter's life cycle: a failed start leaves nothing running (its ports can be used again at once) and deletes
 * only the media driver directory it made; a node whose configuration names a voter runs it inside its actor
 * system, where it counts towards the majority, on the node's one media driver; without one, voter and client share
 * the voter's driver.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuorumVoterTest
{
    @TempDir
    Path dataDir;

    @Test
    void shouldCleanUpAfterFailedStartAndStartAgainOnTheSamePorts() throws Exception
    {
        final QuorumTestCluster cluster = new QuorumTestCluster(dataDir, Map.of());
        final QuorumConfig config = cluster.voterConfig(0);
        Files.createDirectories(config.dir());
        final Path archive = config.dir().resolve("archive");
        Files.writeString(archive, "a file where the archive directory should be");

        final IllegalStateException failure = assertThrows(IllegalStateException.class, () -> QuorumVoter.start(config));

        assertTrue(failure.getMessage().contains("quorum voter 0 failed to start"), failure.getMessage());
        assertFalse(Files.exists(config.dir().resolve("aeron")), "the voter's media driver directory is removed");
        assertTrue(Files.isRegularFile(archive), "what the user put there is left alone");

        Files.delete(archive);
        try (QuorumVoter voter = QuorumVoter.start(config))
        {
            assertEquals(0, voter.memberId());
        }
        assertTrue(Files.isDirectory(config.dir().resolve("archive")), "the journal's archive is kept at close");
    }

    @Test
    void shouldRunTheNodesOwnVoterWhenMemberIdIsSet()
    {
        final QuorumTestCluster cluster = new QuorumTestCluster(dataDir, Map.of());
        final EmbeddedMediaDriver nodeDriver = EmbeddedMediaDriver.launch(QuorumTestCluster.testDriverConfig());
        ActorTestKit testKit = null;
        try
        {
            cluster.startVoter(0);
            cluster.startVoter(1);
            testKit = ActorTestKit.create("quorum-node-voter", ConfigFactory.parseMap(Map.of(
                    QuorumConfig.PATH + ".member-id", 2,
                    QuorumConfig.PATH + ".dir", dataDir.resolve("node-voter-2").toString(),
                    QuorumConfig.PATH + ".aeron-dir", nodeDriver.aeronDirectoryName(),
                    "pekko.extensions", List.of(QuorumExtension.Id.class.getName())))
                .withFallback(cluster.systemConfig())
                .withFallback(ConfigFactory.load()));
            // Started with the actor system, before any persistent actor or plugin: the voter's lock is held.
            assertTrue(Files.exists(dataDir.resolve("node-voter-2").resolve("voter.lock")));
            final QuorumExtension extension = QuorumExtension.ID.get(testKit.system().classicSystem());
            assertEquals(nodeDriver.aeronDirectoryName(), extension.voter().aeronDirectoryName());
            assertFalse(extension.voter().ownsMediaDriver(), "the voter runs on the node's driver");
            assertFalse(extension.client().ownsMediaDriver(), "the client runs on the node's driver");
            assertFalse(Files.exists(dataDir.resolve("node-voter-2").resolve("aeron")), "no driver of the voter's own");
            final JournalProtocolClient journal = new JournalProtocolClient(testKit, QuorumTestCluster.JOURNAL_ID);
            journal.writeEvents("node", 1, 3);
            assertTrue(Files.isDirectory(dataDir.resolve("node-voter-2").resolve("archive")));

            // Voter 1 alone is no majority: only with the node's own voter 2 do writes still commit.
            cluster.stopVoter(0);
            cluster.awaitLeaderOrNode(Duration.ofSeconds(30));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            long next = 4;
            while (next <= 6 && System.nanoTime() - deadline < 0)
            {
                if (journal.tryWriteEvents("node", next, next).isEmpty())
                {
                    next++;
                }
                else
                {
                    next = readHighest(journal) + 1;
                }
            }
            assertTrue(next > 6, "writes did not resume with voter 1 and the node's voter 2");
            final List<Long> replayed = journal.replayAll("node").sequenceNrs();
            assertEquals(replayed.size(), replayed.get(replayed.size() - 1).intValue(), "no gaps: " + replayed);
        }
        finally
        {
            if (testKit != null)
            {
                testKit.shutdownTestKit();
            }
            cluster.close();
            // After the actor system, whose voter and client ran on it.
            nodeDriver.close();
        }
    }

    @Test
    void shouldShareTheVotersOwnDriverWithTheClientWhenTheNodeGivesNone()
    {
        final QuorumTestCluster cluster = new QuorumTestCluster(dataDir, Map.of());
        final ActorTestKit testKit = ActorTestKit.create("quorum-standalone-voter", ConfigFactory.parseMap(Map.of(
                QuorumConfig.PATH + ".member-id", 0,
                QuorumConfig.PATH + ".dir", dataDir.resolve("standalone-0").toString(),
                "pekko.extensions", List.of(QuorumExtension.Id.class.getName())))
            .withFallback(cluster.systemConfig())
            .withFallback(ConfigFactory.load()));
        try
        {
            final QuorumExtension extension = QuorumExtension.ID.get(testKit.system().classicSystem());
            assertTrue(extension.voter().ownsMediaDriver(), "standalone: the voter launches its driver");
            assertEquals(dataDir.resolve("standalone-0").resolve("aeron").toAbsolutePath().toString(),
                extension.voter().aeronDirectoryName());
            assertFalse(extension.client().ownsMediaDriver(), "the client shares the voter's driver");
        }
        finally
        {
            testKit.shutdownTestKit();
        }
        assertFalse(Files.exists(dataDir.resolve("standalone-0").resolve("aeron")), "the voter's driver is removed");
    }

    private static long readHighest(final JournalProtocolClient journal)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            try
            {
                return journal.highestSequenceNr("node");
            }
            catch (final AssertionError ex)
            {
                // Not answered within the probe's wait: ask again.
            }
        }
        throw new AssertionError("highest sequence number not readable");
    }
}
