package dev.millrace.sharding.persistence.quorum;

import dev.millrace.transport.IdleStrategies;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.codecs.EventCode;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * The one connection of a node to the quorum: an {@link AeronCluster} client whose ingress follows the leader and
 * whose egress is polled by one agent thread (backoff idle strategy). Callers submit commands from any thread and get
 * a future, completed from the egress by correlation id or failed when the request times out.
 * <p>
 * <b>Failover.</b> Aeron Cluster moves the session to a new leader by itself; commands sent to the old leader may
 * then never be committed, or their replies never arrive. So when a new leader is announced, and when the session is
 * lost (no leader for longer than the session timeout, or every voter down; the agent then connects again, over and
 * over), the requests in flight are sent again, in their order, with new correlation ids. A repeated write that had
 * been committed is acknowledged by the journal without being stored twice ({@link JournalState}); the other
 * commands are idempotent. Requests wait, queued, until a leader answers or their {@code client.request-timeout}
 * passes, and then fail with a message naming the voters.
 * <p>
 * Threading: {@link #submit} from any thread; everything else on the agent thread. {@link #close} from one thread.
 */
public final class QuorumClient implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(QuorumClient.class);

    private final QuorumConfig config;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final AgentRunner runner;
    private final AtomicLong correlationIds = new AtomicLong();
    private final ManyToOneConcurrentLinkedQueue<Request> submitted = new ManyToOneConcurrentLinkedQueue<>();
    /** The Raft leader's member id as this client last heard it (-1: none yet); written by the client's agent. */
    private volatile int leaderMemberId = -1;

    /**
     * A command waiting for its response; {@code chunks} gathers replay chunks until the last.
     */
    private static final class Request
    {
        private final LongFunction<QuorumMessage> factory;
        private final long firstCorrelationId;
        private final long deadlineNs;
        private final CompletableFuture<QuorumMessage> future = new CompletableFuture<>();
        private final List<QuorumMessage.Event> chunks = new ArrayList<>();
        private QuorumMessage command;
        private long correlationId;
        private int sends;

        Request(final LongFunction<QuorumMessage> factory, final long correlationId, final long deadlineNs)
        {
            this.factory = factory;
            this.firstCorrelationId = correlationId;
            this.deadlineNs = deadlineNs;
            renew(correlationId);
        }

        /**
         * A new correlation id for a re-send, so that late replies to the earlier send (a replay's chunks) are
         * ignored instead of mixed with the new ones.
         */
        void renew(final long newCorrelationId)
        {
            final boolean again = command != null;
            correlationId = newCorrelationId;
            final QuorumMessage built = factory.apply(newCorrelationId);
            command = again && built instanceof QuorumMessage.Write write ? write.asRepeat() : built;
            chunks.clear();
        }
    }

    private QuorumClient(final QuorumConfig config, final MediaDriver driver, final Aeron aeron)
    {
        this.config = config;
        this.driver = driver;
        this.aeron = aeron;
        this.runner = new AgentRunner(
            IdleStrategies.create(IdleStrategies.BACKOFF, config.idleStrategyParams()),
            (ex) -> LOG.warn("Quorum client error", ex),
            null,
            new ClientAgent());
    }

    /**
     * Starts a client on the node's media driver when {@code client.aeron-dir} or {@code aeron-dir} names one, else
     * with an own embedded media driver; see {@link #start(QuorumConfig, String)}.
     *
     * @param config validated settings.
     * @return the running client.
     */
    public static QuorumClient start(final QuorumConfig config)
    {
        return start(config, config.nodeAeronDir());
    }

    /**
     * Starts a client connected to the media driver running in {@code aeronDir} (the node's one driver, which must
     * outlive the client), or, when it is empty, with an own embedded media driver (one shared thread, backoff
     * idle) in a fresh directory that is deleted at close; then the egress agent thread, which connects to the
     * cluster in the background.
     *
     * @param config   validated settings.
     * @param aeronDir directory of a running media driver, or "" for an own one.
     * @return the running client.
     */
    public static QuorumClient start(final QuorumConfig config, final String aeronDir)
    {
        MediaDriver driver = null;
        Aeron aeron = null;
        try
        {
            String driverDir = aeronDir;
            if (driverDir.isEmpty())
            {
                driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(IdleStrategies.create(IdleStrategies.BACKOFF, config.idleStrategyParams()))
                    .publicationTermBufferLength(config.termLength())
                    .ipcTermBufferLength(config.termLength())
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .printConfigurationOnStart(false)
                    .errorHandler((ex) -> LOG.warn("Quorum client media driver error", ex)));
                driverDir = driver.aeronDirectoryName();
            }
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driverDir)
                .clientName("millrace-quorum-client")
                .errorHandler((ex) -> LOG.warn("Quorum client Aeron error", ex)));
            final QuorumClient client = new QuorumClient(config, driver, aeron);
            AgentRunner.startOnThread(client.runner);
            LOG.info("Quorum client started on the media driver in {}{}", driverDir, driver == null ? "" : " (its own)");
            return client;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(aeron, driver);
            throw new IllegalStateException("quorum client failed to start: " + ex, ex);
        }
    }

    /**
     * @return whether this client launched (and owns) a media driver.
     */
    public boolean ownsMediaDriver()
    {
        return driver != null;
    }

    /**
     * The voter this client last heard lead the quorum (when it connected, or from Aeron Cluster's new-leader event):
     * what a node needs to find the process that follows the Raft leadership (e.g. the controller). It may name a
     * leader that has just died until the election's new-leader event arrives.
     *
     * @return the leader's member id, or -1 before the client has connected.
     */
    public int leaderMemberId()
    {
        return leaderMemberId;
    }

    /**
     * Sends a command through the Raft log. After a leader change, or a lost session, a command sent but not answered
     * is sent again (the factory is called again with a new correlation id) until its {@code client.request-timeout}:
     * the journal acknowledges a repeated write without storing it twice (see {@link JournalState}), and every other
     * command is idempotent.
     *
     * @param command builds the command with the correlation id given to it; may be called more than once.
     * @return completed with the response (a {@link QuorumMessage.ReplayChunk} holding every event of a replay),
     *     or failed with a {@link QuorumUnavailableException} after {@code client.request-timeout}.
     */
    public CompletableFuture<QuorumMessage> submit(final LongFunction<QuorumMessage> command)
    {
        final long correlationId = correlationIds.incrementAndGet();
        final Request request = new Request(command, correlationId, System.nanoTime() + config.requestTimeoutNs());
        if (!runner.isClosed())
        {
            submitted.offer(request);
        }
        else
        {
            request.future.completeExceptionally(new QuorumUnavailableException("quorum client is closed"));
        }
        return request.future;
    }

    /**
     * @return the voters, for messages.
     */
    QuorumConfig config()
    {
        return config;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(runner, aeron, driver);
        // Whatever is left after the agent stopped can never be answered.
        Request request;
        while ((request = submitted.poll()) != null)
        {
            request.future.completeExceptionally(new QuorumUnavailableException("quorum client closed"));
        }
    }

    /**
     * The duty cycle: connect, send queued commands, poll the egress, expire requests.
     */
    private final class ClientAgent implements Agent, EgressListener
    {
        private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
        private final Long2ObjectHashMap<Request> inFlight = new Long2ObjectHashMap<>();
        private final List<Request> waiting = new ArrayList<>();
        private AeronCluster cluster;
        private AeronCluster.AsyncConnect connecting;
        private String lastProblem = "not connected yet";
        private long nextConnectNs;
        private long nextTimeoutCheckNs;
        private long nextKeepAliveNs;

        @Override
        public int doWork()
        {
            final long nowNs = System.nanoTime();
            int work = 0;
            Request request;
            while ((request = submitted.poll()) != null)
            {
                waiting.add(request);
                work++;
            }
            if (cluster == null || cluster.isClosed())
            {
                work += connect(nowNs);
            }
            if (cluster != null)
            {
                work += send();
            }
            // send() drops a session whose ingress is closed.
            if (cluster != null)
            {
                if (nowNs - nextKeepAliveNs >= 0)
                {
                    // The cluster closes sessions it has not heard from within its session timeout.
                    cluster.sendKeepAlive();
                    nextKeepAliveNs = nowNs + keepAliveIntervalNs();
                }
                try
                {
                    work += cluster.pollEgress();
                }
                catch (final RuntimeException ex)
                {
                    lost("egress failed: " + ex);
                }
                if (cluster != null && cluster.isClosed())
                {
                    lost("cluster session closed");
                }
            }
            if (nowNs - nextTimeoutCheckNs >= 0)
            {
                expire(nowNs);
                nextTimeoutCheckNs = nowNs + TimeUnit.MILLISECONDS.toNanos(10);
            }
            return work;
        }

        private long keepAliveIntervalNs()
        {
            return Math.max(TimeUnit.MILLISECONDS.toNanos(100), config.sessionTimeoutNs() / 4);
        }

        private int connect(final long nowNs)
        {
            if (cluster != null)
            {
                lost("cluster session closed");
            }
            if (connecting == null)
            {
                if (nowNs - nextConnectNs < 0)
                {
                    return 0;
                }
                connecting = AeronCluster.asyncConnect(new AeronCluster.Context()
                    .aeron(aeron)
                    .ownsAeronClient(false)
                    .ingressChannel("aeron:udp?term-length=" + config.termLength())
                    .ingressEndpoints(config.ingressEndpoints())
                    .egressChannel("aeron:udp?endpoint=" + config.clientHost() + ":0|term-length=" + config.termLength())
                    .egressListener(this)
                    .messageTimeoutNs(Math.min(config.requestTimeoutNs(), TimeUnit.SECONDS.toNanos(5))));
            }
            try
            {
                final AeronCluster connected = connecting.poll();
                if (connected != null)
                {
                    connecting = null;
                    cluster = connected;
                    lastProblem = "connected";
                    leaderMemberId = connected.leaderMemberId();
                    LOG.info("Quorum client connected to leader {} of voters {}", connected.leaderMemberId(),
                        config.voters());
                    return 1;
                }
                return 0;
            }
            catch (final RuntimeException ex)
            {
                CloseHelper.quietClose(connecting);
                connecting = null;
                lastProblem = ex.getClass().getSimpleName() + ": " + ex.getMessage();
                // Try again soon, without hammering the voters.
                nextConnectNs = nowNs + TimeUnit.MILLISECONDS.toNanos(100);
                return 1;
            }
        }

        private void lost(final String why)
        {
            LOG.warn("Quorum client lost its cluster session ({}); {} requests in flight fail", why, inFlight.size());
            CloseHelper.quietClose(cluster);
            cluster = null;
            lastProblem = why;
            // Their outcome is unknown: send them again on the next session, until their deadline.
            resendInFlight("session lost: " + why);
        }

        /**
         * Puts every request sent but not answered back in front of the waiting ones, in the order they were first
         * submitted, with new correlation ids: the leader they went to may have died before committing them, or
         * before replying.
         */
        private void resendInFlight(final String why)
        {
            if (inFlight.isEmpty())
            {
                return;
            }
            final List<Request> again = new ArrayList<>(inFlight.values());
            inFlight.clear();
            again.sort(Comparator.comparingLong((Request request) -> request.firstCorrelationId));
            for (final Request request : again)
            {
                request.renew(correlationIds.incrementAndGet());
            }
            waiting.addAll(0, again);
            LOG.info("Quorum client: sending {} unanswered requests again ({})", again.size(), why);
        }

        private int send()
        {
            int sent = 0;
            final Iterator<Request> iterator = waiting.iterator();
            while (iterator.hasNext())
            {
                final Request request = iterator.next();
                final int length = QuorumCodec.encode(request.command, buffer, 0);
                final int maxLength = cluster.ingressPublication().maxMessageLength() - AeronCluster.SESSION_HEADER_LENGTH;
                if (length > maxLength)
                {
                    // Would never fit: fail it alone rather than retry it forever.
                    iterator.remove();
                    request.future.completeExceptionally(new IllegalArgumentException(
                        "quorum journal: a command of " + length + " bytes is larger than the largest message of " +
                        maxLength + " bytes; raise " + QuorumConfig.PATH + "." + QuorumConfig.TERM_LENGTH_KEY +
                        " (a message may take an eighth of a term) or write smaller events"));
                    continue;
                }
                final long result = cluster.offer(buffer, 0, length);
                if (result > 0)
                {
                    nextKeepAliveNs = System.nanoTime() + keepAliveIntervalNs();
                    iterator.remove();
                    inFlight.put(request.correlationId, request);
                    sent++;
                }
                else if (result == Publication.MAX_POSITION_EXCEEDED || result == Publication.CLOSED)
                {
                    lost("ingress " + Publication.errorString(result));
                    break;
                }
                else
                {
                    // Back-pressured or not connected (e.g. while the ingress moves to a new leader): retry later.
                    lastProblem = "ingress " + Publication.errorString(result);
                    break;
                }
            }
            return sent;
        }

        private void expire(final long nowNs)
        {
            final Iterator<Request> waitingIterator = waiting.iterator();
            while (waitingIterator.hasNext())
            {
                final Request request = waitingIterator.next();
                if (nowNs - request.deadlineNs >= 0)
                {
                    waitingIterator.remove();
                    request.future.completeExceptionally(new QuorumUnavailableException(
                        "quorum journal: no leader among voters " + config.voters() + " within " +
                        TimeUnit.NANOSECONDS.toMillis(config.requestTimeoutNs()) + " ms (" + lastProblem + ")"));
                }
            }
            final Iterator<Request> inFlightIterator = inFlight.values().iterator();
            while (inFlightIterator.hasNext())
            {
                final Request request = inFlightIterator.next();
                if (nowNs - request.deadlineNs >= 0)
                {
                    inFlightIterator.remove();
                    request.future.completeExceptionally(new QuorumUnavailableException(
                        "quorum journal: no reply from the voters " + config.voters() + " within " +
                        TimeUnit.NANOSECONDS.toMillis(config.requestTimeoutNs()) + " ms; the command may or may not " +
                        "have been committed"));
                }
            }
        }

        @Override
        public void onMessage(
            final long clusterSessionId,
            final long timestamp,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final Header header)
        {
            final QuorumMessage response;
            try
            {
                response = QuorumCodec.decode(buffer, offset, length);
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("Quorum client: undecodable response ignored: {}", ex.toString());
                return;
            }
            final long correlationId = correlationIdOf(response);
            final Request request = inFlight.get(correlationId);
            if (request == null)
            {
                return;
            }
            if (response instanceof QuorumMessage.ReplayChunk chunk)
            {
                request.chunks.addAll(chunk.events());
                if (!chunk.last())
                {
                    return;
                }
                inFlight.remove(correlationId);
                request.future.complete(new QuorumMessage.ReplayChunk(correlationId, true, request.chunks));
                return;
            }
            inFlight.remove(correlationId);
            request.future.complete(response);
        }

        @Override
        public void onSessionEvent(
            final long correlationId,
            final long clusterSessionId,
            final long leadershipTermId,
            final int leaderMemberId,
            final EventCode code,
            final String detail)
        {
            if (code == EventCode.ERROR || code == EventCode.CLOSED)
            {
                lastProblem = "session event " + code + ": " + detail;
            }
        }

        @Override
        public void onNewLeader(
            final long clusterSessionId,
            final long leadershipTermId,
            final int leaderMemberId,
            final String ingressEndpoints)
        {
            LOG.info("Quorum client: new leader {} (term {})", leaderMemberId, leadershipTermId);
            QuorumClient.this.leaderMemberId = leaderMemberId;
            // Commands sent to the old leader may never be committed, or their replies never come: send them again.
            resendInFlight("new leader " + leaderMemberId);
        }

        @Override
        public void onClose()
        {
            CloseHelper.quietClose(connecting);
            CloseHelper.quietClose(cluster);
            final QuorumUnavailableException closed = new QuorumUnavailableException("quorum client closed");
            inFlight.values().forEach((request) -> request.future.completeExceptionally(closed));
            waiting.forEach((request) -> request.future.completeExceptionally(closed));
            inFlight.clear();
            waiting.clear();
        }

        @Override
        public String roleName()
        {
            return "millrace-quorum-client";
        }
    }

    private static long correlationIdOf(final QuorumMessage response)
    {
        if (response instanceof QuorumMessage.WriteResult result)
        {
            return result.correlationId();
        }
        if (response instanceof QuorumMessage.Done done)
        {
            return done.correlationId();
        }
        if (response instanceof QuorumMessage.Highest highest)
        {
            return highest.correlationId();
        }
        if (response instanceof QuorumMessage.ReplayChunk chunk)
        {
            return chunk.correlationId();
        }
        if (response instanceof QuorumMessage.SnapshotLoaded loaded)
        {
            return loaded.correlationId();
        }
        return Long.MIN_VALUE;
    }
}
