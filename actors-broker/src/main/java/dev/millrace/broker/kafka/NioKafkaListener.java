package dev.millrace.broker.kafka;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.network.Send;
import org.slf4j.Logger;

/**
 * The Kafka listener on {@code java.nio} ({@code millrace.broker.kafka.io = nio}): one selector thread
 * ({@code millrace-kafka-io-<port>}) accepts connections, reads size-prefixed request frames, hands them to
 * {@link KafkaRequestHandler#respond} and writes the responses, kafka-clients {@link Send}s, to the socket. A fetch
 * response's records are sent from their segment file with {@code FileChannel.transferTo} ({@code sendfile}, see
 * {@link SocketTransferableChannel}): they are never copied into the JVM, as in Kafka's own network layer.
 *
 * <p>Per connection, as {@link KafkaListener} promises:
 * <ul>
 *   <li>a frame whose 4-byte big-endian size is negative or larger than {@code socket.request.max.bytes}, a request
 *       that cannot be parsed, a response that cannot be made or written: that connection closes, with a warning that
 *       says why; the others go on;</li>
 *   <li>at most {@code max-in-flight-requests-per-connection} requests are between read and fully written; at the
 *       limit the connection is not read (its read interest is dropped, and bytes already read wait unparsed), so a
 *       client that does not read its responses stops being read and its memory stays bounded;</li>
 *   <li>responses go out in request order whatever order their futures complete in; a request that wants no response
 *       (produce with acks=0) takes its turn and writes nothing;</li>
 *   <li>a response whose records' segment was closed by retention, DeleteRecords or a replica stop after the fetch
 *       read it ({@link SocketTransferableChannel.SegmentClosedException}) closes the connection: part of the
 *       response may have gone out, so it cannot be replaced; the client reconnects and fetches again, and nothing
 *       is lost.</li>
 * </ul>
 *
 * <p>Threading: the selector thread alone touches sockets and connection state. Response futures complete on the
 * actor system's threads; their completion is queued for the selector thread, which {@link Selector#wakeup} wakes
 * from its blocking {@code select()} (no busy loop). {@link #unbind} and {@link #close} are queued the same way and
 * may be called from any thread.
 */
final class NioKafkaListener implements Runnable
{
    /** What answers a request: {@link KafkaRequestHandler#respond} (a test's own, to control completion order). */
    @FunctionalInterface
    interface Responder
    {
        /**
         * @param request one request, size prefix excluded
         * @return the response with its size prefix, or null for none; a failed stage (or a thrown exception) closes
         *         the connection
         */
        CompletionStage<Send> respond(ByteBuffer request, InetSocketAddress client);
    }

    private static final int SIZE_PREFIX_BYTES = 4;
    /** Per connection; a larger frame is read straight into its own buffer. */
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final long CLOSE_WAIT_MS = 10_000;

    private final KafkaListenerSettings settings;
    private final Responder handler;
    private final Logger log;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final InetSocketAddress localAddress;
    private final Thread thread;
    /** Work for the selector thread: completed responses, unbind, close. */
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<Connection> connections = new ArrayList<>();
    private final CompletableFuture<Void> unbound = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean running = true;

    private NioKafkaListener(
        final KafkaListenerSettings settings, final Responder handler, final Logger log) throws IOException
    {
        this.settings = settings;
        this.handler = handler;
        this.log = log;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        try
        {
            server.bind(new InetSocketAddress(settings.host(), settings.port()));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        }
        catch (final IOException | RuntimeException ex)
        {
            server.close();
            selector.close();
            throw ex;
        }
        this.localAddress = (InetSocketAddress)server.getLocalAddress();
        this.thread = new Thread(this, "millrace-kafka-io-" + localAddress.getPort());
        thread.setDaemon(true);
    }

    /**
     * Binds the listener and starts its thread.
     *
     * @throws IOException when the address cannot be bound
     */
    static NioKafkaListener bind(
        final KafkaListenerSettings settings, final Responder handler, final Logger log) throws IOException
    {
        final NioKafkaListener listener = new NioKafkaListener(settings, handler, log);
        listener.thread.start();
        return listener;
    }

    InetSocketAddress localAddress()
    {
        return localAddress;
    }

    /**
     * Stops accepting connections; open connections go on. Completes once the server socket is closed; a connection
     * the kernel had completed but this thread not yet accepted (still in the backlog) is reset by the close.
     */
    CompletionStage<Void> unbind()
    {
        submit(this::closeServer);
        if (closed.isDone())
        {
            // The thread has ended (closed, or failed): it closed the server socket on its way out.
            unbound.complete(null);
        }
        return unbound;
    }

    /**
     * Stops accepting, closes every connection and ends the selector thread; waits up to 10 s for the thread unless
     * called on it. Idempotent.
     */
    void close()
    {
        closeAsync();
        if (Thread.currentThread() != thread)
        {
            try
            {
                closed.get(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            catch (final Exception ex)
            {
                log.warn("the kafka listener thread {} did not end within {} ms: {}", thread.getName(), CLOSE_WAIT_MS, ex.toString());
            }
        }
    }

    /** Has the selector thread stop accepting, close every connection and end; returns {@link #closed()}. */
    CompletionStage<Void> closeAsync()
    {
        running = false;
        selector.wakeup();
        return closed;
    }

    /** Completes when the selector thread has ended and every socket is closed. */
    CompletionStage<Void> closed()
    {
        return closed;
    }

    private void submit(final Runnable task)
    {
        tasks.add(task);
        selector.wakeup();
    }

    @Override
    public void run()
    {
        try
        {
            while (running)
            {
                selector.select();
                runTasks();
                final Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                while (ready.hasNext())
                {
                    final SelectionKey key = ready.next();
                    ready.remove();
                    if (!key.isValid())
                    {
                        continue;
                    }
                    if (key.attachment() == null)
                    {
                        accept();
                    }
                    else
                    {
                        ((Connection)key.attachment()).onReady(key);
                    }
                }
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            log.error("the kafka listener on {} failed and stops: {}", localAddress, ex.toString(), ex);
        }
        finally
        {
            shutdown();
        }
    }

    private void runTasks()
    {
        Runnable task;
        while ((task = tasks.poll()) != null)
        {
            task.run();
        }
    }

    private void accept()
    {
        while (true)
        {
            final SocketChannel socket;
            try
            {
                socket = server.accept();
            }
            catch (final IOException ex)
            {
                // Out of file descriptors, say: the listener goes on; the client's connect fails or is retried.
                log.warn("the kafka listener on {} could not accept a connection: {}", localAddress, ex.toString());
                return;
            }
            if (socket == null)
            {
                return;
            }
            try
            {
                socket.configureBlocking(false);
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                final Connection connection = new Connection(socket, (InetSocketAddress)socket.getRemoteAddress());
                connection.key = socket.register(selector, SelectionKey.OP_READ, connection);
                connections.add(connection);
            }
            catch (final IOException ex)
            {
                log.warn("kafka connection not accepted: {}", ex.toString());
                closeQuietly(socket);
            }
        }
    }

    private void closeServer()
    {
        if (server.isOpen())
        {
            log.info("kafka listener unbinding {}", localAddress);
            closeQuietly(server);
            try
            {
                // A channel registered with a selector keeps its socket until the selector deregisters its key.
                selector.selectNow();
            }
            catch (final IOException | ClosedSelectorException ex)
            {
                log.warn("deregistering the kafka listener's server socket failed: {}", ex.toString());
            }
        }
        unbound.complete(null);
    }

    private void shutdown()
    {
        running = false;
        closeServer();
        for (final Connection connection : new ArrayList<>(connections))
        {
            connection.close(null);
        }
        try
        {
            selector.close();
        }
        catch (final IOException ex)
        {
            log.warn("closing the kafka listener's selector failed: {}", ex.toString());
        }
        tasks.clear();
        closed.complete(null);
    }

    private static void closeQuietly(final Closeable closeable)
    {
        try
        {
            closeable.close();
        }
        catch (final IOException ignored)
        {
            // Closing anyway; nothing to recover.
        }
    }

    /** A request read and handed to the handler; its response, once made, waits here for its turn to be written. */
    private static final class Pending
    {
        /** Null when the request wants no response. */
        private Send send;
        private boolean ready;
    }

    /** One client connection; confined to the selector thread. */
    private final class Connection
    {
        private final SocketChannel socket;
        private final InetSocketAddress remote;
        private final SocketTransferableChannel out;
        /** Bytes read and not yet parsed, in read mode between reads (flipped after each read). */
        private final ByteBuffer in = ByteBuffer.allocate(READ_BUFFER_BYTES).flip();
        /** Requests read, in order, until their response is fully written. */
        private final ArrayDeque<Pending> pending = new ArrayDeque<>();
        /** The body of the frame being read; null between frames. */
        private ByteBuffer body;
        private SelectionKey key;
        private boolean open = true;

        Connection(final SocketChannel socket, final InetSocketAddress remote)
        {
            this.socket = socket;
            this.remote = remote;
            this.out = new SocketTransferableChannel(socket);
        }

        void onReady(final SelectionKey ready)
        {
            try
            {
                if (ready.isWritable())
                {
                    write();
                    // Responses written make room below the limit: frames already read may go now.
                    parse();
                }
                if (open && ready.isReadable())
                {
                    read();
                }
                if (open)
                {
                    updateInterest();
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                close(ex);
            }
        }

        private boolean atLimit()
        {
            return pending.size() >= settings.maxInFlightRequests();
        }

        /** Reads what the socket has, and dispatches every whole frame, while below the in-flight limit. */
        private void read() throws IOException
        {
            while (open && !atLimit())
            {
                parse();
                if (!open || atLimit())
                {
                    return;
                }
                final int read;
                if (body != null && !in.hasRemaining() && body.remaining() >= READ_BUFFER_BYTES)
                {
                    // A large frame: straight into its own buffer.
                    read = socket.read(body);
                }
                else
                {
                    in.compact();
                    try
                    {
                        read = socket.read(in);
                    }
                    finally
                    {
                        in.flip();
                    }
                }
                if (read < 0)
                {
                    close(null);
                    return;
                }
                if (read == 0)
                {
                    parse();
                    return;
                }
            }
        }

        /** Dispatches the whole frames among the bytes read, while below the in-flight limit. */
        private void parse()
        {
            while (open && !atLimit())
            {
                if (body == null)
                {
                    if (in.remaining() < SIZE_PREFIX_BYTES)
                    {
                        return;
                    }
                    final int size = in.getInt();
                    if (size < 0 || size > settings.requestMaxBytes())
                    {
                        close(new KafkaProtocolException("a request frame of " + size + " bytes is outside [0, " +
                            settings.requestMaxBytes() + "] (" + KafkaListenerSettings.PREFIX + "." +
                            KafkaListenerSettings.REQUEST_MAX_BYTES + ")"));
                        return;
                    }
                    body = ByteBuffer.allocate(size);
                }
                if (in.hasRemaining() && body.hasRemaining())
                {
                    final int count = Math.min(in.remaining(), body.remaining());
                    final int limit = in.limit();
                    in.limit(in.position() + count);
                    body.put(in);
                    in.limit(limit);
                }
                if (body.hasRemaining())
                {
                    return;
                }
                final ByteBuffer request = body.flip();
                body = null;
                dispatch(request);
            }
        }

        private void dispatch(final ByteBuffer request)
        {
            final Pending entry = new Pending();
            pending.add(entry);
            final CompletionStage<Send> response;
            try
            {
                response = handler.respond(request, remote);
            }
            catch (final RuntimeException ex)
            {
                close(ex);
                return;
            }
            response.whenComplete((send, failure) -> submit(() -> completed(entry, send, failure)));
        }

        /** On the selector thread: a response is made; write what is now first in line. */
        private void completed(final Pending entry, final Send send, final Throwable failure)
        {
            if (!open)
            {
                return;
            }
            if (failure != null)
            {
                close(failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure);
                return;
            }
            entry.send = send;
            entry.ready = true;
            try
            {
                write();
                // Room again below the limit: frames already read may be dispatched without waiting for the socket.
                parse();
                if (open)
                {
                    updateInterest();
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                close(ex);
            }
        }

        /** Writes ready responses in request order until one is not ready or the socket is full. */
        private void write() throws IOException
        {
            while (open && !pending.isEmpty() && pending.peek().ready)
            {
                final Send send = pending.peek().send;
                if (send != null)
                {
                    send.writeTo(out);
                    if (!send.completed())
                    {
                        return;
                    }
                }
                pending.poll();
            }
        }

        private void updateInterest()
        {
            int ops = atLimit() ? 0 : SelectionKey.OP_READ;
            final Pending first = pending.peek();
            if (first != null && first.ready && first.send != null && !first.send.completed())
            {
                ops |= SelectionKey.OP_WRITE;
            }
            if (key.interestOps() != ops)
            {
                key.interestOps(ops);
            }
        }

        /** Closes the connection; logs why when {@code failure} is not null (null: the client closed it, or shutdown). */
        void close(final Throwable failure)
        {
            if (!open)
            {
                return;
            }
            open = false;
            if (failure != null)
            {
                log.warn("kafka connection from {} closed: {}", remote, failure.toString());
            }
            if (key != null)
            {
                key.cancel();
            }
            closeQuietly(socket);
            pending.clear();
            connections.remove(this);
        }
    }
}
