package dev.millrace.deploy.cli;

import java.nio.file.Path;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.millrace.deploy.MillraceMain;
import dev.millrace.deploy.StandaloneNode;

/** Starts a {@link StandaloneNode} for a command: a bad setting is a usage error (2), any other failure 1. */
final class NodeStarter
{
    private NodeStarter()
    {
    }

    static StandaloneNode start(final Path dataDir, final Integer kafkaPort, final Path configFile)
    {
        final Config config;
        try
        {
            config = StandaloneNode.config(dataDir, kafkaPort, configFile);
            return StandaloneNode.start(config);
        }
        catch (final ConfigException ex)
        {
            throw new CommandFailedException("invalid configuration: " + ex.getMessage(), MillraceMain.USAGE, ex);
        }
        catch (final RuntimeException ex)
        {
            throw new CommandFailedException("start-up failed: " + ex.getMessage(), ex);
        }
    }
}
