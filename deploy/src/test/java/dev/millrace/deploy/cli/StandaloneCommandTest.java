package dev.millrace.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.typesafe.config.Config;
import dev.millrace.deploy.StandaloneNode;
import dev.millrace.deploy.cli.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code millrace standalone}'s configuration and its failures; the running node is {@code StandaloneITCase}'s. */
@Timeout(60)
class StandaloneCommandTest
{
    @TempDir
    Path dir;

    @Test
    void shouldExitTwoNamingTheKeyOfABadSetting() throws IOException
    {
        final Path file = dir.resolve("bad.conf");
        Files.writeString(file, "millrace.broker.node.broker-id = -1\n");
        final Result result = Cli.run("standalone", "--data-dir", dir.resolve("data").toString(), "--port", "0",
            "--config", file.toString());
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().startsWith("millrace standalone: invalid configuration: "), result::toString);
        assertTrue(result.err().contains("millrace.broker.node.broker-id"), result::toString);
    }

    @Test
    void shouldExitTwoForABadPortOrAMissingConfigFile()
    {
        final Result port = Cli.run("standalone", "--data-dir", dir.toString(), "--port", "70000");
        assertEquals(2, port.exitCode(), port::toString);
        assertTrue(port.err().contains("millrace.broker.kafka.port"), port::toString);

        final Result missing = Cli.run("standalone", "--config", dir.resolve("absent.conf").toString());
        assertEquals(2, missing.exitCode(), missing::toString);
        assertTrue(missing.err().contains("absent.conf"), missing::toString);
    }

    @Test
    void shouldLayerOptionsOverTheFileOverTheStandaloneDefaults() throws IOException
    {
        final Config defaults = StandaloneNode.config(null, null, null);
        assertEquals(StandaloneNode.DEFAULT_DATA_DIR, defaults.getString("millrace.broker.node.data-dir"));
        assertEquals(9092, defaults.getInt("millrace.broker.kafka.port"));
        assertEquals(0, defaults.getInt("millrace.broker.node.port"));
        assertTrue(defaults.getBoolean("millrace.broker.kafka.enabled"));

        final Path file = dir.resolve("node.conf");
        Files.writeString(file, "millrace.broker.node.data-dir = /from/file\nmillrace.broker.kafka.port = 19092\n" +
            "millrace.broker.kafka.enabled = off\n");
        final Config fromFile = StandaloneNode.config(null, null, file);
        assertEquals("/from/file", fromFile.getString("millrace.broker.node.data-dir"));
        assertEquals(19092, fromFile.getInt("millrace.broker.kafka.port"));
        assertTrue(fromFile.getBoolean("millrace.broker.kafka.enabled"), "the listener is always on");

        final Config fromOptions = StandaloneNode.config(dir, 29092, file);
        assertEquals(dir.toString(), fromOptions.getString("millrace.broker.node.data-dir"));
        assertEquals(29092, fromOptions.getInt("millrace.broker.kafka.port"));
    }
}
