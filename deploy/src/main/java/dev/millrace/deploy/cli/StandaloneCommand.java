package dev.millrace.deploy.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.millrace.deploy.StandaloneNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code millrace standalone}: one node with every role and the Kafka listener, in this JVM, until SIGTERM/SIGINT.
 * Prints {@value #READY} with the bootstrap address when ready, and {@value #STOPPED} once Coordinated Shutdown (run
 * by the JVM's shutdown hook) has stopped the node.
 */
@Command(name = "standalone", mixinStandardHelpOptions = true,
    description = "Run one node with every role and the Kafka listener, until SIGTERM or SIGINT (Ctrl-C).")
public final class StandaloneCommand implements Runnable
{
    /** The first words of the line printed when the node is ready. */
    public static final String READY = "millrace standalone ready";

    /** The line printed once the node has stopped. */
    public static final String STOPPED = "millrace standalone stopped";

    @Spec
    CommandSpec spec;

    @Option(names = {"--data-dir", "-d"}, paramLabel = "DIR",
        description = "Where the node keeps its logs and journal. Default: " + StandaloneNode.DEFAULT_DATA_DIR +
            " (or millrace.broker.node.data-dir of --config).")
    Path dataDir;

    @Option(names = {"--port", "-p"}, paramLabel = "PORT",
        description = "The Kafka listener's port; 0 picks a free one (the ready line tells which). Default: 9092 " +
            "(or millrace.broker.kafka.port of --config).")
    Integer port;

    @Option(names = {"--config", "-c"}, paramLabel = "FILE",
        description = "A HOCON file of settings over the defaults (millrace { ... }, pekko { ... }).")
    Path configFile;

    @Override
    public void run()
    {
        final StandaloneNode node = NodeStarter.start(dataDir, port, configFile);
        final PrintWriter out = spec.commandLine().getOut();
        out.println(READY + ": kafka bootstrap " + node.bootstrap() + ", data in " + node.dataDir());
        out.flush();
        final PrintWriter err = spec.commandLine().getErr();
        final AtomicBoolean reported = new AtomicBoolean();
        final long waitMs = node.node().settings().startTimeout().toMillis();
        // On SIGTERM/SIGINT Pekko's own hook runs Coordinated Shutdown; this one reports when it has finished.
        Runtime.getRuntime().addShutdownHook(
            new Thread(() -> awaitStop(node, out, err, reported, waitMs), "millrace-stopped"));
        node.node().system().getWhenTerminated().toCompletableFuture().join();
        reportStopped(out, reported);
    }

    private static void awaitStop(
        final StandaloneNode node, final PrintWriter out, final PrintWriter err, final AtomicBoolean reported,
        final long waitMs)
    {
        try
        {
            node.node().system().getWhenTerminated().toCompletableFuture().get(waitMs, TimeUnit.MILLISECONDS);
            reportStopped(out, reported);
        }
        catch (final Exception ex)
        {
            err.println("millrace standalone: the node did not stop cleanly: " + ex);
            err.flush();
        }
    }

    private static void reportStopped(final PrintWriter out, final AtomicBoolean reported)
    {
        if (reported.compareAndSet(false, true))
        {
            out.println(STOPPED);
            out.flush();
        }
    }
}
