package dev.millrace.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.transport.AeronTransportConfig;
import dev.millrace.transport.EmbeddedMediaDriver;
import dev.millrace.transport.IdleStrategies;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Props;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./millrace bench transport}: the replication-transport question of issue 6, measured. The same bytes
 * ({@code --chunk}-sized chunks, record-batch sized, {@code --total} in all) go from one node to another, both in this
 * JVM, each an {@code ActorSystem} on its own transport-aeron {@link EmbeddedMediaDriver} (small-machine profile,
 * loopback):
 * <ul>
 *   <li>as Artery actor messages ({@code byte[]} payloads, Pekko's byte-array serializer), over Artery TCP and over
 *   Artery Aeron UDP on the drivers, with a credit window: the receiver acknowledges every half window and the sender
 *   keeps at most {@code --window} chunks unacknowledged;</li>
 *   <li>over an Aeron publication/subscription directly on the drivers, with credit-based flow control: the receiver
 *   publishes on a reverse stream how many bytes it allows (consumed + window), and the sender sends only up to that,
 *   so the receiver's demand decides how much is sent.</li>
 * </ul>
 * Each chunk carries its sequence number, checked in order by the receiver. One warm-up run per way, then
 * {@code --rounds} measured ones; medians are printed, in MB/s (10^6 bytes) and relative to Aeron direct.
 * The sender and receiver loops of the Aeron way park with the backoff idle strategy, like the driver.
 */
@Command(
    name = "transport",
    mixinStandardHelpOptions = true,
    description = "Replication transport: the same 64 KiB chunks as Artery actor messages (TCP, Aeron UDP) vs an "
        + "Aeron publication with credit flow control, between two nodes on loopback.")
public final class TransportBenchmark implements Callable<Integer>
{
    private static final int DATA_STREAM = 1001;
    private static final int CREDIT_STREAM = 1002;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);

    @Option(names = "--total-mib", description = "MiB sent per measured run (default: ${DEFAULT-VALUE}).")
    int totalMiB = 1024;

    @Option(names = "--chunk-kib", description = "KiB per chunk, a record batch (default: ${DEFAULT-VALUE}).")
    int chunkKiB = 64;

    @Option(names = "--window", description = "Chunks in flight: the receiver's credit (default: ${DEFAULT-VALUE}).")
    int window = 32;

    @Option(names = "--rounds", description = "Measured rounds per way; medians are shown (default: ${DEFAULT-VALUE}).")
    int rounds = 3;

    @Option(names = "--aeron-channel-params", description = "Extra URI parameters of the Aeron direct channels, e.g. "
        + "'rcv-wnd=2m|so-rcvbuf=2m|so-sndbuf=2m' (default: none, the driver's defaults).")
    String channelParams = "";

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception
    {
        if (totalMiB < 1 || chunkKiB < 1 || chunkKiB > 192 || window < 2 || rounds < 1)
        {
            // 192 KiB: an Artery frame is at most pekko.remote.artery.advanced.maximum-frame-size, 256 KiB.
            throw new IllegalArgumentException(
                "--total-mib, --rounds must be >= 1, --chunk-kib in [1, 192], --window >= 2");
        }
        final int chunk = chunkKiB * 1024;
        final long chunks = (long)totalMiB * 1024 * 1024 / chunk;
        final long warmUpChunks = Math.max(window * 4L, chunks / 8);
        out.printf(Locale.ROOT, "bench transport: %,d chunks of %d KiB (%,d MiB) per run, window %d chunks, %d rounds (+1 " +
            "warm-up), %d cores%n", chunks, chunkKiB, totalMiB, window, rounds, Runtime.getRuntime().availableProcessors());

        final Map<String, List<Double>> results = new HashMap<>();
        final List<String> ways = List.of("artery-tcp", "artery-aeron-udp", "aeron-direct");
        try (EmbeddedMediaDriver senderDriver = EmbeddedMediaDriver.launch(driverConfig());
             EmbeddedMediaDriver receiverDriver = EmbeddedMediaDriver.launch(driverConfig()))
        {
            for (final String way : ways)
            {
                final List<Double> rates = new ArrayList<>();
                for (int round = 0; round <= rounds; round++)
                {
                    final long n = round == 0 ? warmUpChunks : chunks;
                    final double mbPerSecond = "aeron-direct".equals(way)
                        ? runAeron(senderDriver, receiverDriver, chunk, n)
                        : runArtery(way.equals("artery-tcp") ? null : senderDriver,
                            way.equals("artery-tcp") ? null : receiverDriver, chunk, n);
                    out.printf(Locale.ROOT, "  %-17s %s %,10.1f MB/s%n", way, round == 0 ? "warm-up" : "round " + round,
                        mbPerSecond);
                    if (round > 0)
                    {
                        rates.add(mbPerSecond);
                    }
                }
                results.put(way, rates);
            }
        }

        final double direct = median(results.get("aeron-direct"));
        out.println();
        out.printf(Locale.ROOT, "%-58s %12s %12s%n", "way (" + chunkKiB + " KiB chunks, window " + window + ")", "MB/s",
            "vs direct");
        out.printf(Locale.ROOT, "%-58s %,12.1f %12.2f%n", "Artery actor messages, TCP",
            median(results.get("artery-tcp")), median(results.get("artery-tcp")) / direct);
        out.printf(Locale.ROOT, "%-58s %,12.1f %12.2f%n", "Artery actor messages, Aeron UDP (node's driver)",
            median(results.get("artery-aeron-udp")), median(results.get("artery-aeron-udp")) / direct);
        out.printf(Locale.ROOT, "%-58s %,12.1f %12.2f%n", "Aeron publication/subscription, credit flow control" +
            (channelParams.isBlank() ? "" : " (" + channelParams + ")"), direct, 1.0);
        out.println("MB = 10^6 bytes; medians over rounds; both nodes in this JVM on loopback, small-machine driver profile.");
        return 0;
    }

    private static AeronTransportConfig driverConfig()
    {
        return AeronTransportConfig.fromConfig(ConfigFactory.load());
    }

    // ---- Artery actor messages ----

    private double runArtery(
        final EmbeddedMediaDriver senderDriver, final EmbeddedMediaDriver receiverDriver, final int chunk,
        final long chunks) throws Exception
    {
        final ActorSystem receiverSystem = ActorSystem.create("bench-receiver", arteryConfig(receiverDriver));
        final ActorSystem senderSystem;
        try
        {
            senderSystem = ActorSystem.create("bench-sender", arteryConfig(senderDriver));
        }
        catch (final RuntimeException ex)
        {
            terminate(receiverSystem);
            throw ex;
        }
        try
        {
            receiverSystem.actorOf(Props.create(ArteryReceiver.class, () -> new ArteryReceiver(chunks, window)),
                "receiver");
            final Address receiverAddress = ((ExtendedActorSystem)receiverSystem).provider().getDefaultAddress();
            final ActorRef receiver = senderSystem.actorSelection(receiverAddress + "/user/receiver")
                .resolveOne(Duration.ofSeconds(30)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            final CompletableFuture<Long> done = new CompletableFuture<>();
            final long startNs = System.nanoTime();
            senderSystem.actorOf(Props.create(ArterySender.class,
                () -> new ArterySender(receiver, chunk, chunks, window, done)), "sender");
            final long received = done.get(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            final long elapsedNs = System.nanoTime() - startNs;
            if (received != chunks)
            {
                throw new IllegalStateException("Artery: " + received + " of " + chunks + " chunks acknowledged");
            }
            return chunks * (double)chunk / (elapsedNs / 1e9) / 1e6;
        }
        finally
        {
            terminate(senderSystem);
            terminate(receiverSystem);
        }
    }

    private static Config arteryConfig(final EmbeddedMediaDriver driver) throws IOException
    {
        final Map<String, Object> settings = new HashMap<>();
        settings.put("pekko.actor.provider", "remote");
        settings.put("pekko.loglevel", "WARNING");
        settings.put("pekko.remote.artery.canonical.hostname", "127.0.0.1");
        settings.put("pekko.remote.artery.canonical.port", driver == null ? 0 : freeUdpPort());
        settings.put("pekko.remote.artery.transport", "tcp");
        settings.put("pekko.coordinated-shutdown.exit-jvm", "off");
        Config config = ConfigFactory.parseMap(settings);
        if (driver != null)
        {
            config = driver.arteryConfig().withFallback(config);
        }
        return config.withFallback(ConfigFactory.load());
    }

    private void terminate(final ActorSystem system) throws Exception
    {
        system.terminate();
        try
        {
            system.getWhenTerminated().toCompletableFuture().get(120, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            // Measured already; the next run uses new systems on new ports.
            out.println("  (warning: " + system.name() + " did not terminate within 120 s)");
        }
    }

    /** Acknowledges every half window with the count received so far; checks the sequence of every chunk. */
    static final class ArteryReceiver extends AbstractActor
    {
        private final long chunks;
        private final int ackEvery;
        private long received;

        ArteryReceiver(final long chunks, final int window)
        {
            this.chunks = chunks;
            this.ackEvery = Math.max(1, window / 2);
        }

        @Override
        public Receive createReceive()
        {
            return receiveBuilder().match(byte[].class, bytes ->
            {
                final long sequence = ByteBuffer.wrap(bytes).getLong(0);
                if (sequence != received)
                {
                    throw new IllegalStateException("Artery: chunk " + sequence + " arrived when " + received +
                        " was expected");
                }
                received++;
                if (received % ackEvery == 0 || received == chunks)
                {
                    getSender().tell(Long.valueOf(received), getSelf());
                }
            }).build();
        }
    }

    /** Sends while fewer than {@code window} chunks are unacknowledged; completes {@code done} at the last ack. */
    static final class ArterySender extends AbstractActor
    {
        private final ActorRef receiver;
        private final int chunk;
        private final long chunks;
        private final int window;
        private final CompletableFuture<Long> done;
        private long sent;
        private long acknowledged;

        ArterySender(
            final ActorRef receiver, final int chunk, final long chunks, final int window,
            final CompletableFuture<Long> done)
        {
            this.receiver = receiver;
            this.chunk = chunk;
            this.chunks = chunks;
            this.window = window;
            this.done = done;
        }

        @Override
        public void preStart()
        {
            sendAllowed();
        }

        @Override
        public Receive createReceive()
        {
            return receiveBuilder().match(Long.class, ack ->
            {
                acknowledged = Math.max(acknowledged, ack);
                if (acknowledged == chunks)
                {
                    done.complete(acknowledged);
                    getContext().stop(getSelf());
                    return;
                }
                sendAllowed();
            }).build();
        }

        private void sendAllowed()
        {
            while (sent < chunks && sent - acknowledged < window)
            {
                // A new array per message: Artery serializes asynchronously, so a reused one could change under it.
                final byte[] bytes = new byte[chunk];
                ByteBuffer.wrap(bytes).putLong(0, sent);
                receiver.tell(bytes, getSelf());
                sent++;
            }
        }
    }

    // ---- Aeron direct, credit flow control ----

    private double runAeron(
        final EmbeddedMediaDriver senderDriver, final EmbeddedMediaDriver receiverDriver, final int chunk,
        final long chunks) throws Exception
    {
        final String extra = channelParams.isBlank() ? "" : "|" + channelParams.trim();
        final String dataChannel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort() + extra;
        final String creditChannel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
        final long windowBytes = (long)window * chunk;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong receivedChunks = new AtomicLong();
        try (Subscription data = receiverDriver.aeron().addSubscription(dataChannel, DATA_STREAM);
             ExclusivePublication credit = receiverDriver.aeron().addExclusivePublication(creditChannel, CREDIT_STREAM);
             ExclusivePublication publication = senderDriver.aeron().addExclusivePublication(dataChannel, DATA_STREAM);
             Subscription credits = senderDriver.aeron().addSubscription(creditChannel, CREDIT_STREAM))
        {
            final long connectDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(publication.isConnected() && credit.isConnected()))
            {
                if (System.nanoTime() - connectDeadline > 0)
                {
                    throw new IllegalStateException("Aeron: publications did not connect within 30 s");
                }
                Thread.onSpinWait();
                Thread.yield();
            }
            if (chunk > publication.maxMessageLength())
            {
                throw new IllegalArgumentException("--chunk-kib: " + chunk + " bytes exceeds the largest Aeron message, " +
                    publication.maxMessageLength() + " bytes; raise millrace.transport.aeron.term-buffer-length");
            }

            final Thread receiver = new Thread(() ->
            {
                try
                {
                    receive(data, credit, chunks, chunk, windowBytes, receivedChunks);
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            }, "bench-aeron-receiver");
            final long startNs = System.nanoTime();
            receiver.start();
            send(publication, credits, chunks, chunk, failure);
            receiver.join(RUN_TIMEOUT.toMillis());
            final long elapsedNs = System.nanoTime() - startNs;
            if (failure.get() != null)
            {
                throw new IllegalStateException("Aeron run failed: " + failure.get(), failure.get());
            }
            if (receiver.isAlive() || receivedChunks.get() != chunks)
            {
                receiver.interrupt();
                throw new IllegalStateException("Aeron: " + receivedChunks.get() + " of " + chunks + " chunks received");
            }
            return chunks * (double)chunk / (elapsedNs / 1e9) / 1e6;
        }
    }

    /** Sends chunk after chunk as long as the receiver's credit (bytes it allows) is ahead of what was sent. */
    private static void send(
        final ExclusivePublication publication, final Subscription credits, final long chunks, final int chunk,
        final AtomicReference<Throwable> failure)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(chunk));
        final long[] allowedBytes = { 0 };
        final FragmentHandler onCredit = (creditBuffer, offset, length, header) ->
            allowedBytes[0] = Math.max(allowedBytes[0], creditBuffer.getLong(offset));
        final IdleStrategy idle = IdleStrategies.create(IdleStrategies.BACKOFF, IdleStrategies.Params.DEFAULTS);
        final long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        long sent = 0;
        while (sent < chunks && failure.get() == null)
        {
            int work = credits.poll(onCredit, 16);
            if ((sent + 1) * chunk <= allowedBytes[0])
            {
                buffer.putLong(0, sent);
                final long result = publication.offer(buffer, 0, chunk);
                if (result > 0)
                {
                    sent++;
                    work++;
                }
                else if (result == Publication.CLOSED || result == Publication.NOT_CONNECTED ||
                    result == Publication.MAX_POSITION_EXCEEDED)
                {
                    throw new IllegalStateException("Aeron: offer failed: " + Publication.errorString(result));
                }
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("Aeron: sender gave up after " + RUN_TIMEOUT + " at chunk " + sent);
            }
            idle.idle(work);
        }
    }

    /** Consumes chunks in order and grants credit (consumed + window bytes) at start and every half window. */
    private static void receive(
        final Subscription data, final ExclusivePublication credit, final long chunks, final int chunk,
        final long windowBytes, final AtomicLong receivedChunks)
    {
        final UnsafeBuffer creditBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Long.BYTES));
        final long[] consumed = { 0 };
        final FragmentAssembler onData = new FragmentAssembler((buffer, offset, length, header) ->
        {
            final long sequence = buffer.getLong(offset);
            if (length != chunk || sequence != consumed[0])
            {
                throw new IllegalStateException("Aeron: chunk " + sequence + " of " + length + " bytes arrived when " +
                    consumed[0] + " was expected");
            }
            consumed[0]++;
        });
        final IdleStrategy idle = IdleStrategies.create(IdleStrategies.BACKOFF, IdleStrategies.Params.DEFAULTS);
        final long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        final long grantEvery = Math.max(1, windowBytes / chunk / 2);
        long granted = -1;
        while (consumed[0] < chunks)
        {
            int work = 0;
            if (granted < 0 || consumed[0] - granted >= grantEvery)
            {
                creditBuffer.putLong(0, consumed[0] * chunk + windowBytes);
                if (credit.offer(creditBuffer, 0, Long.BYTES) > 0)
                {
                    granted = consumed[0];
                    work++;
                }
            }
            work += data.poll(onData, 64);
            receivedChunks.set(consumed[0]);
            if (Thread.currentThread().isInterrupted() || System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("Aeron: receiver gave up at chunk " + consumed[0]);
            }
            idle.idle(work);
        }
    }

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static double median(final List<Double> values)
    {
        final List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        final int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
