package dev.millrace.broker.kafka;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.node.Broker;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * The Kafka wire-protocol listener: a TCP server whose every connection is a stream of requests framed by their
 * 4-byte big-endian size prefix, handled by {@link KafkaRequestHandler}. Two network layers keep the same contract,
 * chosen by {@code millrace.broker.kafka.io}:
 * <ul>
 *   <li>{@code nio} (default, {@link NioKafkaListener}): one selector thread; responses are kafka-clients
 *       {@code Send}s written to the socket, a fetch response's records sent from their segment file with
 *       {@code sendfile};</li>
 *   <li>{@code pekko-streams}: a Pekko Streams {@code Tcp} server; each response is collected into a
 *       {@code ByteString} first ({@link ByteStringChannel}), fetched records read from their file into memory.</li>
 * </ul>
 *
 * <p>Per connection: at most {@code max-in-flight-requests-per-connection} requests are handled at once and their
 * responses are written in request order even when they are made out of order; a request that wants no response
 * (produce with acks=0) writes nothing; a client that does not read its responses stops being read once that many
 * are pending (nio: the connection's read interest is dropped; pekko-streams: TCP back-pressure through
 * {@code mapAsync}). A frame larger than {@code socket.request.max.bytes}, a negative size or a request that cannot be
 * parsed closes that connection and logs why; other connections and the node are unaffected. {@link #unbind} stops
 * accepting; the actor system's shutdown closes the listener and its connections (nio: at
 * {@code service-unbind} and {@code service-stop} of the coordinated shutdown, and when the system terminates).
 *
 * <p>Threading: {@link #bind} blocks until bound; nio runs on its own daemon thread ({@code millrace-kafka-io-<port>}),
 * pekko-streams on the actor system's dispatcher; handlers complete on the dispatcher either way.
 */
public final class KafkaListener
{
    private static final int SIZE_PREFIX_BYTES = 4;

    private final ActorSystem<?> system;
    /** Set with io = pekko-streams. */
    private final Tcp.ServerBinding binding;
    /** Set with io = nio. */
    private final NioKafkaListener nio;

    private KafkaListener(final ActorSystem<?> system, final Tcp.ServerBinding binding, final NioKafkaListener nio)
    {
        this.system = system;
        this.binding = binding;
        this.nio = nio;
    }

    /**
     * Binds a listener that serves the given node's broker facade and advertises this broker at the bound address.
     *
     * @throws IllegalStateException when the address cannot be bound within {@code askTimeout}
     */
    public static KafkaListener start(
        final ActorSystem<?> system, final KafkaListenerSettings settings, final ActorRef<Broker.Command> broker,
        final ActorRef<ControllerProtocol> controller, final int brokerId, final Duration askTimeout)
    {
        final AtomicInteger boundPort = new AtomicInteger(settings.port());
        final KafkaRequestHandler handler = new KafkaRequestHandler(
            new BrokerContext(system, broker, controller, brokerId, settings.host(), boundPort::get, askTimeout));
        final KafkaListener listener = bind(system, settings, handler, askTimeout);
        // Clients connect only once bind returned, so every response sees the bound port.
        boundPort.set(listener.localAddress().getPort());
        return listener;
    }

    /**
     * Binds the listener and waits for the binding.
     *
     * @throws IllegalStateException when the address cannot be bound within {@code bindTimeout}
     */
    public static KafkaListener bind(
        final ActorSystem<?> system, final KafkaListenerSettings settings, final KafkaRequestHandler handler,
        final Duration bindTimeout)
    {
        return settings.io() == KafkaListenerSettings.Io.NIO ? bindNio(system, settings, handler) :
            bindPekkoStreams(system, settings, handler, bindTimeout);
    }

    private static KafkaListener bindNio(
        final ActorSystem<?> system, final KafkaListenerSettings settings, final KafkaRequestHandler handler)
    {
        final NioKafkaListener nio;
        try
        {
            nio = NioKafkaListener.bind(settings, handler::respond, system.log());
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IllegalStateException("cannot bind the kafka listener to " + settings.host() + ":" + settings.port() +
                " (" + KafkaListenerSettings.PREFIX + ".port): " + ex.getMessage(), ex);
        }
        final String name = "kafka-listener-" + nio.localAddress().getPort();
        final CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), name + "-unbind",
            () -> nio.unbind().thenApply(unbound -> Done.getInstance()));
        shutdown.addTask(CoordinatedShutdown.PhaseServiceStop(), name + "-stop",
            () -> nio.closeAsync().thenApply(closed -> Done.getInstance()));
        // A system terminated without its coordinated shutdown still ends the thread.
        system.getWhenTerminated().whenComplete((terminated, failure) -> nio.closeAsync());
        system.log().info("kafka listener (io = nio) bound to {}", nio.localAddress());
        return new KafkaListener(system, null, nio);
    }

    private static KafkaListener bindPekkoStreams(
        final ActorSystem<?> system, final KafkaListenerSettings settings, final KafkaRequestHandler handler,
        final Duration bindTimeout)
    {
        final Materializer materializer = Materializer.matFromSystem(system);
        final CompletionStage<Tcp.ServerBinding> bound = Tcp.get(system).bind(settings.host(), settings.port())
            .to(Sink.foreach(connection -> connection.handleWith(
                connectionFlow(system, settings, handler, connection.remoteAddress()), materializer)))
            .run(materializer);
        try
        {
            final Tcp.ServerBinding binding = bound.toCompletableFuture().get(bindTimeout.toMillis(), TimeUnit.MILLISECONDS);
            system.log().info("kafka listener (io = pekko-streams) bound to {}", binding.localAddress());
            return new KafkaListener(system, binding, null);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("cannot bind the kafka listener to " + settings.host() + ":" + settings.port() +
                " (" + KafkaListenerSettings.PREFIX + ".port): " + ex.getCause().getMessage(), ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("gave up binding the kafka listener after " + bindTimeout, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted binding the kafka listener", ex);
        }
    }

    private static Flow<ByteString, ByteString, NotUsed> connectionFlow(
        final ActorSystem<?> system, final KafkaListenerSettings settings, final KafkaRequestHandler handler,
        final InetSocketAddress remote)
    {
        return Flow.of(ByteString.class)
            .via(Framing.lengthField(
                SIZE_PREFIX_BYTES, 0, settings.requestMaxBytes() + SIZE_PREFIX_BYTES, ByteOrder.BIG_ENDIAN))
            .mapAsync(settings.maxInFlightRequests(), frame -> handler.handle(frame, remote))
            .filter(response -> !response.isEmpty())
            .watchTermination((notUsed, done) -> logClose(system, remote, done));
    }

    private static NotUsed logClose(final ActorSystem<?> system, final InetSocketAddress remote, final CompletionStage<Done> done)
    {
        done.whenComplete((ok, failure) ->
        {
            if (failure != null)
            {
                system.log().warn("kafka connection from {} closed: {}", remote, failure.toString());
            }
        });
        return NotUsed.getInstance();
    }

    /** The bound address (the actual port when configured with 0). */
    public InetSocketAddress localAddress()
    {
        return nio != null ? nio.localAddress() : binding.localAddress();
    }

    /** Stops accepting connections; open connections go on until closed. */
    public CompletionStage<?> unbind()
    {
        if (nio != null)
        {
            return nio.unbind();
        }
        system.log().info("kafka listener unbinding {}", binding.localAddress());
        return binding.unbind();
    }

    /**
     * Stops accepting and closes every connection now (nio; the actor system's shutdown does it too). With
     * pekko-streams only unbinds: its connections end with the actor system.
     */
    public void close()
    {
        if (nio != null)
        {
            nio.close();
        }
        else
        {
            unbind();
        }
    }
}
