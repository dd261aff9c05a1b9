package dev.millrace.benchmarks;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Measures failover as a producer sees it: the time from SIGKILL of a partition's leader to the first acks=all send to
 * that partition that is acknowledged, among those sent after the kill.
 *
 * <p>A topic of one partition (replication factor and {@code min.insync.replicas} as given) is created and written
 * to until a send succeeds; its leader is read from the Metadata; then a paced producer ({@code linger.ms} 0,
 * idempotent, acks=all, one send per millisecond, the client's own retries and metadata refreshes) runs while the
 * leader's process is killed, one second into the run. The result is the time from just before the kill to the first acknowledgement of a
 * record sent after it. Bounded by {@code timeout}: no acknowledgement by then is reported as a failure, not a time.
 */
final class FailoverProbe
{
    private static final long SEND_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The paced producer runs this long before the kill, so that the kill finds it in its steady state. */
    private static final long STEADY_BEFORE_KILL_NS = TimeUnit.SECONDS.toNanos(1);

    private FailoverProbe()
    {
    }

    /** What one failover took, or why it was not measured. */
    record Failover(int killedNode, long killToFirstAckNs, String failure)
    {
        boolean measured()
        {
            return failure == null;
        }
    }

    static Failover measure(
        final SystemUnderTest system, final String topic, final short replicationFactor, final int minInsync,
        final Duration timeout) throws InterruptedException, ExecutionException, TimeoutException
    {
        try (Admin admin = BrokerUnderTest.admin(system.bootstrapServers()))
        {
            admin.createTopics(List.of(new NewTopic(topic, 1, replicationFactor)
                .configs(Map.of("min.insync.replicas", Integer.toString(minInsync)))))
                .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(system.bootstrapServers())))
            {
                // The topic is usable (a leader elected, enough replicas in sync) once a send succeeds.
                producer.send(new ProducerRecord<>(topic, 0, null, new byte[16])).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                final int leader = leaderOf(admin, topic, timeout);
                final AtomicLong killedAtNs = new AtomicLong(Long.MAX_VALUE);
                final AtomicLong firstAckNs = new AtomicLong(-1);
                final AtomicReference<Exception> lastError = new AtomicReference<>();
                final long deadline = System.nanoTime() + timeout.toNanos();
                long nextSend = System.nanoTime();
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
                        }
                        else if (sentAt >= killedAtNs.get())
                        {
                            firstAckNs.compareAndSet(-1, System.nanoTime());
                        }
                    });
                    if (!killed && sentAt >= killAt)
                    {
                        killedAtNs.set(System.nanoTime());
                        system.kill(leader);
                        killed = true;
                    }
                    nextSend += SEND_INTERVAL_NS;
                    LockSupport.parkNanos(Math.max(0, nextSend - System.nanoTime()));
                }
                if (firstAckNs.get() < 0)
                {
                    return new Failover(leader, -1, "no acks=all send after the kill was acknowledged within " + timeout +
                        (lastError.get() == null ? "" : "; last error: " + lastError.get()));
                }
                return new Failover(leader, firstAckNs.get() - killedAtNs.get(), null);
            }
        }
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

    private static Map<String, Object> producerConfig(final String bootstrapServers)
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-failover");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }
}
