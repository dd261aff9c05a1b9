package dev.millrace.deploy.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import dev.millrace.deploy.StandaloneNode;
import dev.millrace.deploy.demo.Payment;
import dev.millrace.deploy.demo.PaymentGenerator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code millrace demo}: starts a standalone node in this JVM (or uses a running one with {@code --bootstrap-server}),
 * creates the payments topic, prints how to consume it and see a group's lag, and runs a generator of card payments
 * (JSON values keyed by card token) at a bounded rate, for {@code --count} payments, for {@code --duration}, or until
 * SIGINT/SIGTERM. Afterwards the node keeps running until SIGINT/SIGTERM, unless {@code --exit}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a standalone node, create topic 'payments' and generate card payments into it.")
public final class DemoCommand implements Runnable
{
    /** The first words of the line printed when the node is ready (as for {@code standalone}). */
    public static final String READY = "millrace demo ready";

    /** The first words of the line printed when the generator has stopped. */
    public static final String GENERATED = "millrace demo generated";

    private static final int CARDS = 5_000;

    @Spec
    CommandSpec spec;

    @Option(names = {"--data-dir", "-d"}, paramLabel = "DIR", defaultValue = "./demo-data",
        description = "The node's data directory. Default: ${DEFAULT-VALUE}.")
    Path dataDir;

    @Option(names = {"--port", "-p"}, paramLabel = "PORT", defaultValue = "9092",
        description = "The node's Kafka port; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = {"--bootstrap-server", "-b"}, paramLabel = "HOST:PORT",
        description = "Generate into this running node (e.g. ./millrace standalone) instead of starting one.")
    String bootstrapServer;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "payments",
        description = "Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "6",
        description = "Partitions of the topic if it is created. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "200",
        description = "Payments per second at most; 0 for as fast as the node takes them. Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(names = {"--count", "-n"}, paramLabel = "N", description = "Stop generating after N payments.")
    Long count;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "Stop generating after this long (e.g. 30s, 5m).")
    Duration duration;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
        description = "Seed of the generator: the same seed gives the same payments. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--exit", description = "Stop the node and exit once the generator has stopped.")
    boolean exit;

    /** Set by SIGINT/SIGTERM (a shutdown hook): the generator stops, the node is stopping. */
    private final AtomicBoolean stopping = new AtomicBoolean();

    @Override
    public void run()
    {
        if (partitions < 1 || rate < 0 || (count != null && count < 1) || (duration != null && duration.isNegative()))
        {
            throw new ParameterException(spec.commandLine(),
                "--partitions and --count must be >= 1, --rate and --duration >= 0");
        }
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final StandaloneNode node = bootstrapServer == null ? NodeStarter.start(dataDir, port, null) : null;
        final String bootstrap = node == null ? bootstrapServer : node.bootstrap();
        try
        {
            if (node != null)
            {
                out.println(READY + ": kafka bootstrap " + bootstrap + ", data in " + node.dataDir());
            }
            final ClientOptions client = new ClientOptions();
            client.bootstrapServer = bootstrap;
            client.timeout = Duration.ofSeconds(30);
            final int topicPartitions = createTopic(client);
            printHowTo(out, bootstrap, topicPartitions);
            final long sent = generate(client, err);
            out.println(GENERATED + " " + sent + " payments into topic '" + topic + "'");
            out.flush();
            if (node != null && !exit && !stopping.get())
            {
                out.println("the node keeps running at " + bootstrap + "; Ctrl-C stops it");
                out.flush();
                node.node().system().getWhenTerminated().toCompletableFuture().join();
            }
        }
        finally
        {
            if (node != null && exit)
            {
                node.close();
            }
        }
    }

    private int createTopic(final ClientOptions client)
    {
        try (Admin admin = client.admin())
        {
            try
            {
                Failures.await(admin.createTopics(List.of(new NewTopic(topic, partitions, (short)1))).all(), client,
                    "topic '" + topic + "'");
            }
            catch (final CommandFailedException ex)
            {
                if (!(ex.getCause() instanceof TopicExistsException))
                {
                    throw ex;
                }
            }
            final TopicDescription description = Failures.await(
                admin.describeTopics(List.of(topic)).topicNameValues().get(topic), client, "topic '" + topic + "'");
            return description.partitions().size();
        }
    }

    private void printHowTo(final PrintWriter out, final String bootstrap, final int topicPartitions)
    {
        final String at = "127.0.0.1:9092".equals(bootstrap) ? "" : " -b " + bootstrap;
        out.println("generating card payments into topic '" + topic + "' (" + topicPartitions + " partitions)" +
            (rate == 0 ? "" : " at up to " + rate + "/s") + ", seed " + seed +
            (count != null ? ", " + count + " payments" : "") +
            (duration != null ? ", for " + DurationConverter.format(duration) : "") + "; Ctrl-C stops");
        out.println("in another terminal:");
        out.println("  ./millrace consume " + topic + at + " --group fraud-check --from-beginning --max-messages 5 --print-key");
        out.println("  ./millrace groups describe fraud-check" + at + "      # committed offset, end offset, lag");
        out.println("  ./millrace consume " + topic + at + " --group fraud-check --follow");
        out.flush();
    }

    private long generate(final ClientOptions client, final PrintWriter err)
    {
        final PaymentGenerator generator = new PaymentGenerator(seed, CARDS);
        final Properties props = client.common();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final AtomicLong acked = new AtomicLong();
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() -> stopAndWait(stopping, stopped), "millrace-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        final long startNs = System.nanoTime();
        final long endNs = duration == null ? Long.MAX_VALUE : startNs + duration.toNanos();
        final long intervalNs = rate == 0 ? 0 : 1_000_000_000L / rate;
        long sent = 0;
        long nextReportNs = startNs + TimeUnit.SECONDS.toNanos(10);
        try (KafkaProducer<String, String> producer =
            new KafkaProducer<>(props, new StringSerializer(), new StringSerializer()))
        {
            while (!stopping.get() && failure.get() == null && (count == null || sent < count))
            {
                final long nowNs = System.nanoTime();
                if (nowNs >= endNs)
                {
                    break;
                }
                final long dueNs = startNs + sent * intervalNs;
                if (dueNs > nowNs)
                {
                    // Pacing to the rate, not waiting for a condition.
                    LockSupport.parkNanos(dueNs - nowNs);
                    continue;
                }
                final Payment payment = generator.next(System.currentTimeMillis());
                producer.send(new ProducerRecord<>(topic, payment.cardToken(), payment.toJson()), (metadata, ex) ->
                {
                    if (ex == null)
                    {
                        acked.incrementAndGet();
                    }
                    else
                    {
                        failure.compareAndSet(null, ex);
                    }
                });
                sent++;
                if (nowNs >= nextReportNs)
                {
                    err.printf("demo: %d payments sent, %.0f/s%n", sent, sent / ((nowNs - startNs) / 1e9));
                    err.flush();
                    nextReportNs = nowNs + TimeUnit.SECONDS.toNanos(10);
                }
            }
            producer.flush();
        }
        finally
        {
            stopped.countDown();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException shuttingDown)
            {
                // The JVM is stopping: the hook has run.
            }
        }
        final Exception first = failure.get();
        if (first != null)
        {
            throw Failures.of(first, client, "topic '" + topic + "'");
        }
        return acked.get();
    }

    private static void stopAndWait(final AtomicBoolean stopping, final CountDownLatch stopped)
    {
        stopping.set(true);
        try
        {
            stopped.await(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
