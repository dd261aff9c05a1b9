package dev.millrace.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.millrace.broker.node.BrokerNodeMain;

/**
 * Starts the system under test: one Millrace broker node with its Kafka wire-protocol listener, as a child JVM on
 * benchmarks.jar (which holds every Millrace module), configured by system properties, in its own data directory,
 * logging warnings and errors only. Ready when it prints {@link BrokerNodeMain#STARTED} and then answers a Kafka
 * {@code DescribeCluster}.
 *
 * <p>This is the one place that knows how a node is launched: when {@code millrace standalone} exists, switch
 * {@link #MAIN_CLASS} (and its arguments) to it.
 */
final class MillraceNode
{
    static final String NAME = "Millrace";

    /** The node's broker id ({@code millrace.broker.node.broker-id}, default 0). */
    private static final int NODE_ID = 0;

    /** The node's entry point. */
    static final String MAIN_CLASS = BrokerNodeMain.class.getName();

    private MillraceNode()
    {
    }

    static BrokerUnderTest start(final Path dir, final Path classPath, final List<String> jvmFlags, final Duration timeout)
        throws IOException, InterruptedException
    {
        Files.createDirectories(dir);
        final int kafkaPort = BrokerUnderTest.freePort();
        final Path logback = dir.resolve("logback.xml");
        Files.writeString(logback, String.join("\n",
            "<configuration>",
            "  <appender name=\"STDERR\" class=\"ch.qos.logback.core.ConsoleAppender\">",
            "    <target>System.err</target>",
            "    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>",
            "  </appender>",
            "  <root level=\"WARN\"><appender-ref ref=\"STDERR\"/></root>",
            "</configuration>",
            ""));
        final List<String> flags = new ArrayList<>(jvmFlags);
        flags.add("-Dlogback.configurationFile=" + logback.toAbsolutePath());
        flags.add("-Dmillrace.broker.node.data-dir=" + dir.resolve("data").toAbsolutePath());
        flags.add("-Dmillrace.broker.node.port=0");
        flags.add("-Dmillrace.broker.kafka.enabled=on");
        flags.add("-Dmillrace.broker.kafka.host=127.0.0.1");
        flags.add("-Dmillrace.broker.kafka.port=" + kafkaPort);
        final ChildJvm jvm = ChildJvm.start(NAME + " node", dir, flags, classPath.toAbsolutePath().toString(), MAIN_CLASS,
            List.of(), dir.resolve("node.out"), BrokerNodeMain.STARTED);
        final String bootstrap = "127.0.0.1:" + kafkaPort;
        final BrokerUnderTest node = new BrokerUnderTest(NAME, bootstrap, NODE_ID, jvm, dir);
        try
        {
            jvm.awaitLine(timeout);
            BrokerUnderTest.awaitKafkaApi(bootstrap, jvm, timeout);
        }
        catch (final RuntimeException | InterruptedException ex)
        {
            node.close();
            throw ex;
        }
        return node;
    }
}
