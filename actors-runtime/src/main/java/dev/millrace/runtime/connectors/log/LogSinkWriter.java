package dev.millrace.runtime.connectors.log;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.DescribeTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.TopicDescription;
import dev.millrace.broker.node.Broker;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.runtime.operators.AsyncOperator;
import dev.millrace.runtime.operators.StreamOperator;
import dev.millrace.serialization.batch.RecordBatchBuilder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.agrona.ExpandableArrayBuffer;
import org.apache.kafka.common.utils.Utils;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance of a {@link LogSink}: partitions, batches and produces records asynchronously.
 *
 * <p>Records go into an open batch per partition; a batch is closed (encoded as one Kafka v2 record batch) when it
 * reaches {@code batchBytes}, or when its partition has nothing else queued and no produce in flight, and queued on
 * its partition. A partition has at
 * most one produce in flight, the instance at most {@code maxInFlightRequests}. Replies are handed over through a
 * concurrent queue and applied in {@link #poll()} on the instance's thread. Until the topic's partition count is
 * known (a {@code DescribeTopic} sent at open), records wait unpartitioned and the instance is back-pressured.
 *
 * <p>Threading: confined to the instance, except the reply callbacks, which only enqueue and wake it up.
 *
 * @param <T> record type
 */
final class LogSinkWriter<T> extends StreamOperator<T, Object> implements AsyncOperator
{
    private static final Logger LOG = LoggerFactory.getLogger(LogSinkWriter.class);
    /** A record's bytes beyond its key and value, roughly (varints, attributes, deltas), for the size bounds. */
    private static final int RECORD_OVERHEAD = 21;
    private static final long RETRY_DELAY_MS = 500;

    private final LogSink<T> sink;
    private final String topic;
    private final ConcurrentLinkedQueue<Runnable> replies = new ConcurrentLinkedQueue<>();
    private final List<PendingRecord> waiting = new ArrayList<>();
    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(64 * 1024);
    private ActorSystem<?> system;
    private Runnable wakeUp;
    private ActorRef<Broker.Command> broker;
    private PartitionBuffer[] partitions;
    private RuntimeException failure;
    private int nextRoundRobin;
    private int nextToSend;
    private int inFlight;
    private long unacknowledgedBytes;
    private long acknowledgedRecords;

    LogSinkWriter(final LogSink<T> sink)
    {
        this.sink = sink;
        this.topic = sink.topic();
    }

    @Override
    public void attach(final ActorSystem<?> actorSystem, final Runnable instanceWakeUp)
    {
        this.system = actorSystem;
        this.wakeUp = instanceWakeUp;
    }

    @Override
    public void open()
    {
        if (system == null)
        {
            throw new IllegalStateException("the log sink of topic '" + topic + "' runs only in an operator instance"
                + " (it needs the actor system)");
        }
        broker = BrokerLocator.resolve(system, sink.broker());
        nextRoundRobin = context.subtaskIndex();
        AskPattern.<Broker.Command, DescribeTopicReply>ask(broker, replyTo -> new Broker.DescribeTopic(topic, replyTo),
            sink.requestTimeout(), system.scheduler()).whenComplete((reply, error) -> handOver(() -> onDescribed(reply,
            error)));
    }

    @Override
    public void processElement(final T value, final long timestampMs) throws Exception
    {
        if (failure != null)
        {
            throw failure;
        }
        final byte[] key = sink.serializer().serializeKey(value);
        final byte[] bytes = sink.serializer().serializeValue(value);
        final long timestamp = timestampMs >= 0 ? timestampMs : context.processingTime().currentTimeMillis();
        final PendingRecord record = new PendingRecord(key, bytes, timestamp);
        unacknowledgedBytes += record.size();
        if (partitions == null)
        {
            waiting.add(record);
        }
        else
        {
            append(record);
        }
    }

    @Override
    public void processWatermark(final long watermarkMs)
    {
        currentWatermark = watermarkMs;
    }

    @Override
    public void processStatus(final boolean idle)
    {
    }

    @Override
    public void onBatchEnd()
    {
        send();
    }

    @Override
    public void finish()
    {
        send();
    }

    @Override
    public void poll() throws Exception
    {
        Runnable reply;
        while (failure == null && (reply = replies.poll()) != null)
        {
            reply.run();
        }
        if (failure != null)
        {
            throw failure;
        }
        send();
    }

    @Override
    public boolean isBackPressured()
    {
        return partitions == null || unacknowledgedBytes >= sink.bufferBytes();
    }

    @Override
    public boolean hasPendingWork()
    {
        // Until the topic is described the job may not end: an unknown topic must fail it, records or not.
        return partitions == null || unacknowledgedBytes > 0;
    }

    @Override
    public void close()
    {
        if (acknowledgedRecords > 0)
        {
            LOG.debug("log sink {} of topic '{}' wrote {} records", context.subtaskIndex(), topic, acknowledgedRecords);
        }
    }

    private void onDescribed(final DescribeTopicReply reply, final Throwable error)
    {
        if (reply instanceof TopicDescription description)
        {
            final int count = description.topic().partitionCount();
            partitions = new PartitionBuffer[count];
            for (int p = 0; p < count; p++)
            {
                partitions[p] = new PartitionBuffer(new TopicPartition(topic, p));
            }
            for (final PendingRecord record : waiting)
            {
                append(record);
            }
            waiting.clear();
        }
        else if (reply instanceof ControllerProtocol.Rejected rejected)
        {
            fail(new LogConnectorException("cannot write topic '" + topic + "': " + rejected.error() + ": "
                + rejected.message()));
        }
        else
        {
            fail(new LogConnectorException("cannot write topic '" + topic + "': the broker " + broker.path()
                + " did not describe it within " + sink.requestTimeout() + " (is a broker node running in this actor"
                + " system, or was the facade given with LogSink.Builder.broker?)", error));
        }
    }

    private void append(final PendingRecord record)
    {
        final int partition = record.key() != null
            ? Utils.toPositive(Utils.murmur2(record.key())) % partitions.length
            : Math.floorMod(nextRoundRobin++, partitions.length);
        final PartitionBuffer buffer = partitions[partition];
        buffer.open.add(record);
        buffer.openBytes += record.size();
        if (buffer.openBytes >= sink.batchBytes())
        {
            closeBatch(buffer);
        }
    }

    /** Encodes the partition's open records as one record batch and queues it. */
    private void closeBatch(final PartitionBuffer buffer)
    {
        builder.wrap(scratch, 0, Integer.MAX_VALUE);
        for (final PendingRecord record : buffer.open)
        {
            if (!builder.append(record.timestampMs(), record.key(), record.value()))
            {
                throw new IllegalStateException("a record of " + record.size() + " bytes does not fit a batch");
            }
        }
        final int size = builder.build();
        final byte[] batch = new byte[size];
        scratch.getBytes(0, batch);
        buffer.ready.add(new Batch(batch, buffer.open.size(), buffer.openBytes));
        buffer.open.clear();
        buffer.openBytes = 0;
    }

    /**
     * Starts a produce for every partition with records and none in flight, within the in-flight bound; a partition
     * with nothing queued first closes its open batch. A partition with a produce in flight keeps gathering records
     * into its open batch (up to {@code batchBytes}) until the acknowledgement: the batches grow with the latency,
     * as with Kafka's {@code linger.ms}, without a timer.
     */
    private void send()
    {
        if (partitions == null || failure != null)
        {
            return;
        }
        final long now = context.processingTime().currentTimeMillis();
        for (int i = 0; i < partitions.length && inFlight < sink.maxInFlightRequests(); i++)
        {
            final PartitionBuffer buffer = partitions[nextToSend];
            nextToSend = (nextToSend + 1) % partitions.length;
            if (buffer.inFlight || now < buffer.retryAtMs)
            {
                continue;
            }
            if (buffer.ready.isEmpty() && !buffer.open.isEmpty())
            {
                closeBatch(buffer);
            }
            if (!buffer.ready.isEmpty())
            {
                produce(buffer, buffer.ready.peek());
            }
        }
    }

    private void produce(final PartitionBuffer buffer, final Batch batch)
    {
        if (sink.acks() == 0)
        {
            // Nothing will answer: the batch is done once sent, as with a Kafka producer with acks=0.
            broker.tell(new Broker.Produce(new PartitionProtocol.Produce(buffer.partition, (short)0, batch.records(),
                system.ignoreRef())));
            onAcknowledged(buffer, batch);
            return;
        }
        buffer.inFlight = true;
        inFlight++;
        AskPattern.<Broker.Command, ProduceReply>ask(broker, replyTo -> new Broker.Produce(new PartitionProtocol.Produce(
            buffer.partition, sink.acks(), batch.records(), replyTo)), sink.requestTimeout(), system.scheduler())
            .whenComplete((reply, error) -> handOver(() -> onProduced(buffer, batch, reply, error)));
    }

    private void onProduced(final PartitionBuffer buffer, final Batch batch, final ProduceReply reply,
        final Throwable error)
    {
        buffer.inFlight = false;
        inFlight--;
        if (reply instanceof Appended)
        {
            onAcknowledged(buffer, batch);
        }
        else if (reply instanceof Rejected rejected && RetriableErrors.mayResendProduce(rejected.error())
            && buffer.attempts < sink.retries())
        {
            buffer.attempts++;
            buffer.retryAtMs = context.processingTime().currentTimeMillis() + RETRY_DELAY_MS;
            LOG.warn("producing {} records to {} was refused ({}: {}), retry {} of {} in {} ms", batch.recordCount(),
                name(buffer), rejected.error(), rejected.message(), buffer.attempts, sink.retries(), RETRY_DELAY_MS);
            system.scheduler().scheduleOnce(Duration.ofMillis(RETRY_DELAY_MS), wakeUp, system.executionContext());
        }
        else if (reply instanceof Rejected rejected)
        {
            fail(new LogConnectorException("producing " + batch.recordCount() + " records (" + batch.records().length
                + " bytes) to " + name(buffer) + " failed: " + rejected.error() + ": " + rejected.message()));
        }
        else
        {
            fail(new LogConnectorException("producing " + batch.recordCount() + " records to " + name(buffer)
                + " failed: no answer within " + sink.requestTimeout(), error));
        }
    }

    private void onAcknowledged(final PartitionBuffer buffer, final Batch batch)
    {
        buffer.ready.poll();
        buffer.attempts = 0;
        unacknowledgedBytes -= batch.bytes();
        acknowledgedRecords += batch.recordCount();
    }

    private void handOver(final Runnable reply)
    {
        replies.add(reply);
        wakeUp.run();
    }

    private void fail(final RuntimeException cause)
    {
        if (failure == null)
        {
            failure = cause;
        }
    }

    private String name(final PartitionBuffer buffer)
    {
        return "partition " + buffer.partition.partition() + " of topic '" + topic + "'";
    }

    /** A serialized record not yet in a batch. */
    private record PendingRecord(byte[] key, byte[] value, long timestampMs)
    {
        long size()
        {
            return (key == null ? 0 : key.length) + (value == null ? 0 : value.length) + RECORD_OVERHEAD;
        }
    }

    /**
     * An encoded batch.
     *
     * @param records     the record batch
     * @param recordCount its records
     * @param bytes       what it counts against the buffer bound
     */
    private record Batch(byte[] records, int recordCount, long bytes)
    {
    }

    /** One partition's open batch, its queue of closed batches (the head is the one in flight) and its retries. */
    private static final class PartitionBuffer
    {
        private final TopicPartition partition;
        private final List<PendingRecord> open = new ArrayList<>();
        private final ArrayDeque<Batch> ready = new ArrayDeque<>();
        private long openBytes;
        private boolean inFlight;
        private int attempts;
        private long retryAtMs;

        PartitionBuffer(final TopicPartition partition)
        {
            this.partition = partition;
        }
    }
}
