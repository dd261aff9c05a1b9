package dev.millrace.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Measures failover as a producer sees it: the time from SIGKILL of a partition's leader to the first acks=all send to
 * that partition that is acknowledged, among those sent after the kill.
 *
 * <p>A topic of one partition (replication factor and {@code min.insync.replicas} as given) is created and written
 * to until a send succeeds; its leader is read from the Metadata. When the leader's node is not the one the
 * {@link Target} asks for (the node of the active controller, or another one), another topic is created, up to
 * {@value #PLACEMENT_ATTEMPTS} times. Then a paced producer ({@code linger.ms} 0, idempotent, acks=all, one send per
 * millisecond, the client's own retries and metadata refreshes with {@link #CLIENT_SETTINGS}) runs while the leader's
 * process is killed, one second into the run. The result is the time from just before the kill to the first
 * acknowledgement of a record sent after it. Bounded by {@code timeout}: no acknowledgement by then is reported as a
 * failure, not a time.
 *
 * <p>The {@link Timeline} splits that time: the first send error after the kill, when an Admin polling the Metadata
 * every {@value #ADMIN_POLL_MS} ms first sees another leader (the servers' side: detection, election, publication),
 * when the producer's own cached metadata first names it (its metadata refresh and backoffs) and the first
 * acknowledgement (the retry reaching the new leader and committing with the ISR).
 */
final class FailoverProbe
{
    /**
     * The producer settings that decide how fast a client follows a new leader, the same for every system under test.
     * Kafka's defaults back off exponentially up to a second (retries and metadata refreshes up to
     * {@code retry.backoff.max.ms} 1000, reconnections up to {@code reconnect.backoff.max.ms} 1000), which can add up to
     * a second after the servers have moved on; these cap both at 250 ms and start at 50 ms: a busier client while a
     * leader is gone, in exchange for following it sooner.
     */
    static final Map<String, Object> CLIENT_SETTINGS = Map.of(
        ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50,
        ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 250,
        ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 50,
        ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 250);

    private static final int PLACEMENT_ATTEMPTS = 12;
    private static final long ADMIN_POLL_MS = 20;
    private static final long SEND_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The paced producer runs this long before the kill, so that the kill finds it in its steady state. */
    private static final long STEADY_BEFORE_KILL_NS = TimeUnit.SECONDS.toNanos(1);
    /** How often the send loop looks at the producer's cached leader. */
    private static final long CLIENT_METADATA_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(2);

    private FailoverProbe()
    {
    }

    /** Which partition leader the probe kills. */
    enum Target
    {
        /** Whichever node leads the first topic created. */
        ANY,
        /** A leader on the node that runs the active controller. */
        CONTROLLER,
        /** A leader on a node that does not run the active controller. */
        OTHER;

        boolean accepts(final int leader, final int controller)
        {
            return this == ANY || (this == CONTROLLER) == (leader == controller);
        }
    }

    /**
     * What one failover took (from just before the kill, ns; -1 when it did not happen), or why it was not measured.
     *
     * @param killedAt wall-clock time of the kill, to find it in the nodes' logs.
     */
    record Failover(int killedNode, boolean controllerKilled, Instant killedAt, Timeline timeline, String failure)
    {
        boolean measured()
        {
            return failure == null;
        }

        long killToFirstAckNs()
        {
            return timeline.firstAckNs();
        }
    }

    /** Times after the kill, in ns (-1: not seen). */
    record Timeline(long firstErrorNs, String firstError, long adminSeesNewLeaderNs, long clientSeesNewLeaderNs,
                    int newLeader, long firstAckNs)
    {
        String describe()
        {
            // The producer retries through the outage, so a send fails only when it runs out of retries or time.
            final String failed = firstErrorNs < 0 ? "" : "first failed send " + ms(firstErrorNs) + " (" + firstError + "), ";
            return String.format(Locale.ROOT, "%sAdmin sees leader %d %s, producer's metadata %s, first ack %s", failed,
                newLeader, ms(adminSeesNewLeaderNs), ms(clientSeesNewLeaderNs), ms(firstAckNs));
        }

        private static String ms(final long ns)
        {
            return ns < 0 ? "-" : String.format(Locale.ROOT, "%.0f ms", ns / 1e6);
        }
    }

    static Failover measure(
        final SystemUnderTest system, final String topicPrefix, final Target target, final short replicationFactor,
        final int minInsync, final boolean clientDefaults, final Duration timeout)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        try (Admin admin = BrokerUnderTest.admin(system.bootstrapServers());
             KafkaProducer<byte[], byte[]> producer =
                 new KafkaProducer<>(producerConfig(system.bootstrapServers(), clientDefaults)))
        {
            String topic = null;
            int leader = -1;
            int controller = -1;
            for (int attempt = 0; attempt < PLACEMENT_ATTEMPTS && topic == null; attempt++)
            {
                final String candidate = topicPrefix + "-" + attempt;
                admin.createTopics(List.of(new NewTopic(candidate, 1, replicationFactor)
                    .configs(Map.of("min.insync.replicas", Integer.toString(minInsync)))))
                    .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                // The topic is usable (a leader elected, enough replicas in sync) once a send succeeds.
                producer.send(new ProducerRecord<>(candidate, 0, null, new byte[16]))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                leader = leaderOf(admin, candidate, timeout);
                controller = system.controllerId();
                if (target.accepts(leader, controller))
                {
                    topic = candidate;
                }
            }
            if (topic == null)
            {
                return new Failover(leader, leader == controller, null, null, "no topic of " + PLACEMENT_ATTEMPTS +
                    " had its leader where " + target + " asks (controller on node " + controller + ")");
            }
            return run(system, producer, topic, leader, leader == controller, timeout);
        }
    }

    private static Failover run(
        final SystemUnderTest system, final KafkaProducer<byte[], byte[]> producer, final String topic, final int leader,
        final boolean controllerKilled, final Duration timeout) throws InterruptedException
    {
        final AtomicLong killedAtNs = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong firstAckNs = new AtomicLong(-1);
        final AtomicLong firstErrorNs = new AtomicLong(-1);
        final AtomicReference<Exception> firstError = new AtomicReference<>();
        final AtomicReference<Exception> lastError = new AtomicReference<>();
        final AtomicLong adminSeesNs = new AtomicLong(-1);
        final AtomicLong newLeader = new AtomicLong(-1);
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread watcher = new Thread(
            () -> watchLeader(system.bootstrapServers(), topic, leader, killedAtNs, adminSeesNs, newLeader, stop),
            "failover-metadata-watcher");
        watcher.setDaemon(true);
        watcher.start();
        long clientSeesNs = -1;
        Instant killedAt = null;
        try
        {
            final long deadline = System.nanoTime() + timeout.toNanos();
            long nextSend = System.nanoTime();
            long nextMetadataCheck = nextSend;
            final long killAt = nextSend + STEADY_BEFORE_KILL_NS;
            boolean killed = false;
            while (firstAckNs.get() < 0 && System.nanoTime() < deadline)
            {
                final long sentAt = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, 0, null, new byte[16]), (metadata, error) ->
                {
                    if (error != null)
                    {
                        lastError.set(error);
                        if (System.nanoTime() >= killedAtNs.get() && firstError.compareAndSet(null, error))
                        {
                            firstErrorNs.set(System.nanoTime());
                        }
                    }
                    else if (sentAt >= killedAtNs.get())
                    {
                        firstAckNs.compareAndSet(-1, System.nanoTime());
                    }
                });
                if (!killed && sentAt >= killAt)
                {
                    killedAt = Instant.now();
                    killedAtNs.set(System.nanoTime());
                    system.kill(leader);
                    killed = true;
                }
                if (killed && clientSeesNs < 0 && sentAt >= nextMetadataCheck)
                {
                    final int cached = cachedLeader(producer, topic);
                    if (cached >= 0 && cached != leader)
                    {
                        clientSeesNs = System.nanoTime();
                    }
                    nextMetadataCheck = sentAt + CLIENT_METADATA_CHECK_NS;
                }
                nextSend += SEND_INTERVAL_NS;
                LockSupport.parkNanos(Math.max(0, nextSend - System.nanoTime()));
            }
        }
        finally
        {
            stop.set(true);
            watcher.join(TimeUnit.SECONDS.toMillis(5));
        }
        final long killNs = killedAtNs.get();
        final Timeline timeline = new Timeline(since(firstErrorNs.get(), killNs),
            firstError.get() == null ? "none" : firstError.get().getClass().getSimpleName(),
            since(adminSeesNs.get(), killNs), since(clientSeesNs, killNs), (int)newLeader.get(),
            since(firstAckNs.get(), killNs));
        if (firstAckNs.get() < 0)
        {
            return new Failover(leader, controllerKilled, killedAt, timeline, "no acks=all send after the kill was " +
                "acknowledged within " + timeout + (lastError.get() == null ? "" : "; last error: " + lastError.get()));
        }
        return new Failover(leader, controllerKilled, killedAt, timeline, null);
    }

    /** Polls the Metadata (a fresh request each time) until it names a leader other than {@code killed}. */
    private static void watchLeader(
        final String bootstrapServers, final String topic, final int killed, final AtomicLong killedAtNs,
        final AtomicLong seenNs, final AtomicLong newLeader, final AtomicBoolean stop)
    {
        try (Admin admin = Admin.create(Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            AdminClientConfig.CLIENT_ID_CONFIG, "bench-failover-watcher",
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000,
            AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, ADMIN_POLL_MS,
            AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, ADMIN_POLL_MS * 5,
            AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, ADMIN_POLL_MS * 5)))
        {
            while (!stop.get() && seenNs.get() < 0)
            {
                if (System.nanoTime() >= killedAtNs.get())
                {
                    try
                    {
                        final Node leader = admin.describeTopics(List.of(topic)).allTopicNames()
                            .get(2, TimeUnit.SECONDS).get(topic).partitions().get(0).leader();
                        if (leader != null && !leader.isEmpty() && leader.id() != killed)
                        {
                            newLeader.set(leader.id());
                            seenNs.set(System.nanoTime());
                        }
                    }
                    catch (final ExecutionException | TimeoutException ex)
                    {
                        // The killed node's connection fails or a node answers late: ask again.
                    }
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ADMIN_POLL_MS));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** The leader in the producer's cached metadata (no request), or -1. */
    private static int cachedLeader(final KafkaProducer<byte[], byte[]> producer, final String topic)
    {
        for (final PartitionInfo info : producer.partitionsFor(topic))
        {
            if (info.partition() == 0 && info.leader() != null && !info.leader().isEmpty())
            {
                return info.leader().id();
            }
        }
        return -1;
    }

    private static long since(final long ns, final long killNs)
    {
        return ns < 0 ? -1 : ns - killNs;
    }

    /** Wall-clock time of day in UTC with milliseconds, as the nodes' logs print it. */
    static String timeOfDay(final Instant instant)
    {
        return instant == null ? "-" : LocalTime.ofInstant(instant, ZoneOffset.UTC).toString();
    }

    private static int leaderOf(final Admin admin, final String topic, final Duration timeout)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        final TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
        final Node leader = description.partitions().get(0).leader();
        if (leader == null || leader.isEmpty())
        {
            throw new IllegalStateException(topic + "-0 has no leader although a send to it succeeded");
        }
        return leader.id();
    }

    /** With {@code clientDefaults} the client's own backoffs instead of {@link #CLIENT_SETTINGS}. */
    private static Map<String, Object> producerConfig(final String bootstrapServers, final boolean clientDefaults)
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-failover");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        if (!clientDefaults)
        {
            config.putAll(CLIENT_SETTINGS);
        }
        return config;
    }
}
