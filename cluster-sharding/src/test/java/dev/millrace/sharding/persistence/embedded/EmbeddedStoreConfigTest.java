package dev.millrace.sharding.persistence.embedded;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedStoreConfigTest
{
    private static final String JOURNAL = EmbeddedTestConfig.JOURNAL_ID;
    private static final String SNAPSHOT = EmbeddedTestConfig.SNAPSHOT_ID;

    private static Config block(final String path, final String overrides)
    {
        return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load().getConfig(path));
    }

    @Test
    void shouldReadDocumentedDefaults()
    {
        final EmbeddedStoreConfig journal = EmbeddedStoreConfig.from(block(JOURNAL, ""), JOURNAL, false);
        final EmbeddedStoreConfig snapshot = EmbeddedStoreConfig.from(block(SNAPSHOT, ""), SNAPSHOT, true);

        assertEquals(Path.of("data/journal"), journal.dir());
        assertTrue(journal.syncWrites());
        assertEquals("millrace.persistence.embedded.read-dispatcher", journal.readDispatcher());
        assertEquals(Path.of("data/snapshots"), snapshot.dir());
        assertTrue(snapshot.syncWrites());
        assertEquals(3, snapshot.maxLoadAttempts());
    }

    @Test
    void shouldAcceptSyncWritesOff()
    {
        assertFalse(EmbeddedStoreConfig.from(block(JOURNAL, "sync-writes = off"), JOURNAL, false).syncWrites());
    }

    @Test
    void shouldRejectEmptyDirNamingTheKey()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class,
            () -> EmbeddedStoreConfig.from(block(JOURNAL, "dir = \"\""), JOURNAL, false));

        assertTrue(ex.getMessage().contains("millrace.persistence.embedded.journal.dir"), ex.getMessage());
    }

    @Test
    void shouldRejectNonBooleanSyncWritesNamingTheKey()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class,
            () -> EmbeddedStoreConfig.from(block(JOURNAL, "sync-writes = sometimes"), JOURNAL, false));

        assertTrue(ex.getMessage().contains("millrace.persistence.embedded.journal.sync-writes"), ex.getMessage());
        assertTrue(ex.getMessage().contains("sometimes"), ex.getMessage());
    }

    @Test
    void shouldRejectMaxLoadAttemptsBelowOneNamingTheKey()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class,
            () -> EmbeddedStoreConfig.from(block(SNAPSHOT, "max-load-attempts = 0"), SNAPSHOT, true));

        assertTrue(
            ex.getMessage().contains("millrace.persistence.embedded.snapshot.max-load-attempts"), ex.getMessage());
    }

    @Test
    void shouldRejectMissingDirNamingTheKey()
    {
        final Config withoutDir = block(JOURNAL, "").withoutPath("dir");

        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> EmbeddedStoreConfig.from(withoutDir, JOURNAL, false));

        assertTrue(ex.getMessage().contains("millrace.persistence.embedded.journal.dir"), ex.getMessage());
    }
}
