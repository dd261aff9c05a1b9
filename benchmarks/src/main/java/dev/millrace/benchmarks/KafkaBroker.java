package dev.millrace.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.Uuid;

/**
 * Starts the reference: a real Apache Kafka broker (the version of {@code kafka_2.13} in the benchmarks pom), KRaft,
 * one node that is both broker and controller, as a child JVM whose class path is {@code target/kafka-broker-lib/}
 * (copied there at package time, never inside benchmarks.jar). It runs in its own directory: the storage is formatted
 * first ({@code kafka.tools.StorageTool format --standalone}, i.e. a dynamic quorum of this one controller), then
 * {@code kafka.Kafka server.properties} starts, logging warnings and errors only (log4j2) to {@code kafka.log}.
 *
 * <p>The server settings are Kafka's defaults except what a one-node cluster needs (replication factor 1 for the
 * internal topics) and a short {@code file.delete.delay.ms}, so that deleted benchmark topics leave the disk soon.
 */
final class KafkaBroker
{
    static final String NAME = "Kafka";

    /** The one node's {@code node.id}. */
    private static final int NODE_ID = 1;

    private KafkaBroker()
    {
    }

    static BrokerUnderTest start(final Path dir, final Path libDir, final List<String> jvmFlags, final Duration timeout)
        throws IOException, InterruptedException
    {
        checkLib(libDir);
        Files.createDirectories(dir);
        final int port = BrokerUnderTest.freePort();
        final int controllerPort = BrokerUnderTest.freePort();
        final Path serverProperties = dir.resolve("server.properties");
        Files.writeString(serverProperties, String.join("\n",
            "process.roles=broker,controller",
            "node.id=" + NODE_ID,
            "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs=" + dir.resolve("data").toAbsolutePath(),
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "file.delete.delay.ms=1000",
            ""));
        final Path log4j = writeLog4j(dir);

        final List<String> flags = new ArrayList<>(jvmFlags);
        flags.add("-Dlog4j2.configurationFile=" + log4j.toAbsolutePath());
        final String classPath = libDir.toAbsolutePath() + "/*";
        ChildJvm.run("kafka-storage-format", dir, List.of("-Xmx256m", "-Dlog4j2.configurationFile=" + log4j.toAbsolutePath()),
            classPath, "kafka.tools.StorageTool",
            List.of("format", "-t", Uuid.randomUuid().toString(), "-c", serverProperties.toString(), "--standalone"),
            dir.resolve("format.out"), timeout);
        final ChildJvm jvm = ChildJvm.start(NAME + " broker", dir, flags, classPath, "kafka.Kafka",
            List.of(serverProperties.toString()), dir.resolve("kafka.out"), null);
        final String bootstrap = "127.0.0.1:" + port;
        final BrokerUnderTest broker = new BrokerUnderTest(NAME, bootstrap, NODE_ID, jvm, dir);
        try
        {
            BrokerUnderTest.awaitKafkaApi(bootstrap, jvm, timeout);
        }
        catch (final RuntimeException | InterruptedException ex)
        {
            broker.close();
            throw ex;
        }
        return broker;
    }

    /** Fails with what to do unless {@code libDir} holds the Kafka broker's jars. */
    static void checkLib(final Path libDir)
    {
        if (!Files.isRegularFile(libDir.resolve("kafka_2.13-" + kafkaVersion() + ".jar")))
        {
            throw new IllegalStateException("no Kafka broker jars in " + libDir + ": build the benchmarks module " +
                "(./mvnw -pl benchmarks -am package -DskipTests), which copies them there");
        }
    }

    /** A log4j2 configuration in {@code dir}: warnings and errors only, to {@code dir/kafka.log}. */
    static Path writeLog4j(final Path dir) throws IOException
    {
        final Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, String.join("\n",
            "status = error",
            "appender.file.type = File",
            "appender.file.name = file",
            "appender.file.fileName = " + dir.resolve("kafka.log").toAbsolutePath(),
            "appender.file.layout.type = PatternLayout",
            "appender.file.layout.pattern = %d %p %c{1} %m%n",
            "rootLogger.level = warn",
            "rootLogger.appenderRef.file.ref = file",
            ""));
        return log4j;
    }

    /** The kafka-clients version on this class path, which the pom keeps equal to the broker's. */
    static String kafkaVersion()
    {
        return org.apache.kafka.common.utils.internals.AppInfoParser.getVersion();
    }
}
