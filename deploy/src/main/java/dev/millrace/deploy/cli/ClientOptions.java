package dev.millrace.deploy.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Option;

/**
 * The options every client command shares (a picocli mixin): where the node is, how long to wait for it, and any
 * kafka-clients setting. The clients built from it wait at most {@link #timeout} for any answer.
 */
public final class ClientOptions
{
    static final String CLIENT_ID = "millrace-cli";

    @Option(names = {"--bootstrap-server", "-b"}, paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9092",
        description = "The node(s) to talk to, comma-separated. Default: ${DEFAULT-VALUE}.")
    String bootstrapServer;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
        description = "Longest wait for any answer from the node (e.g. 500ms, 10s, 2m). Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--client-property", paramLabel = "KEY=VALUE", mapFallbackValue = "",
        description = "A kafka-clients setting for the admin, producer and consumer this command uses (repeatable), " +
            "e.g. --client-property security.protocol=SSL.")
    Map<String, String> clientProperties = new LinkedHashMap<>();

    public String bootstrapServer()
    {
        return bootstrapServer;
    }

    public Duration timeout()
    {
        return timeout;
    }

    /** The settings every client gets: bootstrap, client id, timeouts, then the user's own. */
    Properties common()
    {
        final Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServer);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, CLIENT_ID);
        final int timeoutMs = (int)Math.min(Integer.MAX_VALUE, timeout.toMillis());
        props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        // Give up on an unreachable node within the timeout instead of kafka-clients' 10 s to 30 s of backoff.
        props.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 10_000));
        props.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, Math.min(timeoutMs, 30_000));
        props.putAll(clientProperties);
        return props;
    }

    /** An admin client; close it. */
    Admin admin()
    {
        final Properties props = common();
        props.put(AdminClientConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        try
        {
            return Admin.create(props);
        }
        catch (final KafkaException ex)
        {
            throw Failures.ofClientCreation(ex);
        }
    }
}
