package dev.millrace.runtime.connectors.log;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.DescribeTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.TopicDescription;
import dev.millrace.broker.group.CommittedOffset;
import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.group.GroupCoordinator.OffsetFetchResponse;
import dev.millrace.broker.group.GroupError;
import dev.millrace.broker.node.Broker;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.FetchReply;
import dev.millrace.broker.partition.PartitionProtocol.Fetched;
import dev.millrace.broker.partition.PartitionProtocol.ListOffsetsReply;
import dev.millrace.broker.partition.PartitionProtocol.OffsetFound;
import dev.millrace.broker.partition.PartitionProtocol.OffsetSpec;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.runtime.api.SourceContext;
import dev.millrace.runtime.api.SourceReader;
import dev.millrace.runtime.time.TimestampAssigner;
import dev.millrace.runtime.time.WatermarkGenerator;
import dev.millrace.runtime.time.WatermarkOutput;
import dev.millrace.runtime.time.WatermarkStrategy;
import dev.millrace.runtime.time.Watermarks;
import dev.millrace.serialization.batch.RecordBatchReader;
import dev.millrace.serialization.batch.RecordFlyweight;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance's reader of a {@link LogSource}: owns the partitions {@code q % parallelism == subtask}.
 *
 * <p>It never blocks: every request to the broker is an ask whose reply is handed over through a concurrent
 * queue (and a wake-up of the instance) and applied on the instance's thread in {@link #emitBatch}, which emits
 * what is at hand and returns 0 when nothing is. Phases: {@code NEW} → {@code DESCRIBING} (the topic's partition
 * count) → {@code RESOLVING} (starting offsets, and the end offsets when bounded) → {@code RUNNING} (one fetch in
 * flight per partition whose fetched records were all emitted).
 *
 * <p>Position: partition → the offset of the next record to emit, for every owned partition whose start is
 * known. {@link #seek} before the first batch continues from such a map.
 *
 * <p>Threading: confined to the instance, except the reply callbacks, which only enqueue.
 *
 * @param <T> record type
 */
final class LogSourceReader<T> implements SourceReader<T>
{
    private static final Logger LOG = LoggerFactory.getLogger(LogSourceReader.class);
    private static final long RETRY_DELAY_MS = 1_000;

    private enum Phase
    {
        NEW, DESCRIBING, RESOLVING, RUNNING
    }

    private final LogSource<T> source;
    private final SourceContext context;
    private final ActorRef<Broker.Command> broker;
    private final String topic;
    private final WatermarkStrategy<T> strategy;
    private final TimestampAssigner<T> assigner;
    private final ConcurrentLinkedQueue<Runnable> replies = new ConcurrentLinkedQueue<>();
    private final RecordBatchReader batchReader = new RecordBatchReader();
    private final TreeMap<Integer, PartitionState> partitions = new TreeMap<>();
    private final List<PartitionState> order = new ArrayList<>();
    private Map<Integer, Long> restored;
    private Phase phase = Phase.NEW;
    private int pendingResolutions;
    private RuntimeException failure;
    private int nextInTurn;
    private long emittedWatermark = Watermarks.INITIAL;
    private boolean idle;

    LogSourceReader(final LogSource<T> source, final SourceContext context, final ActorRef<Broker.Command> broker)
    {
        this.source = source;
        this.context = context;
        this.broker = broker;
        this.topic = source.topic();
        this.strategy = source.watermarkStrategy();
        this.assigner = strategy == null ? null : strategy.timestampAssigner();
    }

    @Override
    public int emitBatch(final Output<T> output, final int maxRecords) throws Exception
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
        if (phase == Phase.NEW)
        {
            describe();
            return 0;
        }
        if (phase != Phase.RUNNING)
        {
            return 0;
        }
        fetchWhatIsDue();
        final int emitted = emitBuffered(output, maxRecords);
        if (strategy != null)
        {
            emitEventTime(output);
        }
        else if (partitions.isEmpty() && !idle)
        {
            // No partition here (more instances than partitions): never hold back event time downstream.
            idle = true;
            output.emitStatus(true);
        }
        if (emitted == 0 && source.bounded() && allFinished())
        {
            return -1;
        }
        return emitted;
    }

    @Override
    public Object position()
    {
        final Map<Integer, Long> position = new TreeMap<>();
        if (phase != Phase.RUNNING && restored != null)
        {
            position.putAll(restored);
        }
        for (final PartitionState partition : partitions.values())
        {
            if (partition.position >= 0)
            {
                position.put(partition.partition.partition(), partition.position);
            }
        }
        return position;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void seek(final Object position)
    {
        if (phase != Phase.NEW)
        {
            throw new IllegalStateException("the log source of topic '" + topic
                + "' can only be positioned before it starts reading");
        }
        restored = new HashMap<>((Map<Integer, Long>) position);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Start: partitions, starting and end offsets

    private void describe()
    {
        phase = Phase.DESCRIBING;
        ask(replyTo -> new Broker.DescribeTopic(topic, replyTo), (DescribeTopicReply reply, Throwable error) ->
        {
            if (reply instanceof TopicDescription description)
            {
                onDescribed(description.topic().partitionCount());
            }
            else if (reply instanceof ControllerProtocol.Rejected rejected)
            {
                fail(new LogConnectorException("cannot read topic '" + topic + "': " + rejected.error() + ": "
                    + rejected.message()));
            }
            else
            {
                fail(new LogConnectorException("cannot read topic '" + topic + "': the broker " + broker.path()
                    + " did not describe it within " + source.requestTimeout() + " (is a broker node running in this"
                    + " actor system, or was the facade given with LogSource.Builder.broker?)", error));
            }
        });
    }

    private void onDescribed(final int partitionCount)
    {
        phase = Phase.RESOLVING;
        final List<PartitionState> unresolved = new ArrayList<>();
        for (int p = context.subtaskIndex(); p < partitionCount; p += context.parallelism())
        {
            final PartitionState partition = new PartitionState(new TopicPartition(topic, p));
            partitions.put(p, partition);
            order.add(partition);
            final Long restoredPosition = restored == null ? null : restored.get(p);
            if (restoredPosition != null)
            {
                partition.position = restoredPosition;
            }
            else
            {
                unresolved.add(partition);
            }
            if (source.bounded())
            {
                listOffset(partition, OffsetSpec.LATEST, -1, end -> partition.stopOffset = end);
            }
        }
        LOG.info("log source {}/{} of topic '{}' reads partitions {}", context.subtaskIndex(), context.parallelism(),
            topic, partitions.keySet());
        if (!unresolved.isEmpty())
        {
            if (source.startingOffsets() instanceof StartingOffsets.Committed committed)
            {
                fetchCommitted(committed, unresolved);
            }
            else
            {
                for (final PartitionState partition : unresolved)
                {
                    resolveStart(partition, source.startingOffsets());
                }
            }
        }
        startIfResolved();
    }

    private void resolveStart(final PartitionState partition, final StartingOffsets offsets)
    {
        if (offsets instanceof StartingOffsets.Timestamp timestamp)
        {
            listOffset(partition, OffsetSpec.BY_TIMESTAMP, timestamp.timestampMs(), offset ->
            {
                if (offset >= 0)
                {
                    partition.position = offset;
                }
                else
                {
                    // No record at or after the timestamp: start at the end, as Kafka's consumers do.
                    resolveStart(partition, StartingOffsets.latest());
                }
            });
        }
        else if (offsets == StartingOffsets.latest())
        {
            listOffset(partition, OffsetSpec.LATEST, -1, offset -> partition.position = offset);
        }
        else
        {
            listOffset(partition, OffsetSpec.EARLIEST, -1, offset -> partition.position = offset);
        }
    }

    private void fetchCommitted(final StartingOffsets.Committed committed, final List<PartitionState> unresolved)
    {
        final List<TopicPartition> asked = new ArrayList<>();
        for (final PartitionState partition : unresolved)
        {
            asked.add(partition.partition);
        }
        pendingResolutions++;
        ask(replyTo -> new Broker.OffsetFetch(committed.groupId(),
            new GroupCoordinator.OffsetFetch(Optional.of(asked), replyTo)), (OffsetFetchResponse reply, Throwable error) ->
        {
            pendingResolutions--;
            if (reply == null)
            {
                fail(new LogConnectorException("cannot read the committed offsets of group '" + committed.groupId()
                    + "' for topic '" + topic + "': no answer within " + source.requestTimeout(), error));
                return;
            }
            if (reply.error() != GroupError.NONE)
            {
                fail(new LogConnectorException("cannot read the committed offsets of group '" + committed.groupId()
                    + "' for topic '" + topic + "': " + reply.error() + ": " + reply.message()));
                return;
            }
            for (final PartitionState partition : unresolved)
            {
                final CommittedOffset offset = reply.offsets().get(partition.partition);
                if (offset != null && offset.offset() >= 0)
                {
                    partition.position = offset.offset();
                }
                else
                {
                    resolveStart(partition, committed.fallback());
                }
            }
            startIfResolved();
        });
    }

    private void listOffset(final PartitionState partition, final OffsetSpec spec, final long timestampMs,
        final LongConsumer onOffset)
    {
        pendingResolutions++;
        ask(replyTo -> new Broker.ListOffsets(new PartitionProtocol.ListOffsets(partition.partition, spec, timestampMs,
            replyTo)), (ListOffsetsReply reply, Throwable error) ->
        {
            pendingResolutions--;
            if (reply instanceof OffsetFound found)
            {
                onOffset.accept(found.offset());
                startIfResolved();
            }
            else if (reply instanceof Rejected rejected)
            {
                fail(new LogConnectorException("cannot find the " + spec + " offset of " + name(partition) + ": "
                    + rejected.error() + ": " + rejected.message()));
            }
            else
            {
                fail(new LogConnectorException("cannot find the " + spec + " offset of " + name(partition)
                    + ": no answer within " + source.requestTimeout(), error));
            }
        });
    }

    private void startIfResolved()
    {
        if (phase != Phase.RESOLVING || pendingResolutions > 0 || failure != null)
        {
            return;
        }
        phase = Phase.RUNNING;
        final long now = context.clockMs().getAsLong();
        for (final PartitionState partition : partitions.values())
        {
            partition.fetchOffset = partition.position;
            partition.lastRecordMs = now;
            LOG.debug("log source reads {} from offset {} to {}", name(partition), partition.position,
                partition.stopOffset == Long.MAX_VALUE ? "the end of time" : partition.stopOffset);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Running: fetch, decode, emit

    private void fetchWhatIsDue()
    {
        final long now = context.clockMs().getAsLong();
        for (final PartitionState partition : order)
        {
            if (partition.finished || partition.fetching || !partition.buffered.isEmpty() || now < partition.retryAtMs)
            {
                continue;
            }
            if (partition.position >= partition.stopOffset)
            {
                partition.finished = true;
                continue;
            }
            fetch(partition);
        }
    }

    private void fetch(final PartitionState partition)
    {
        partition.fetching = true;
        final long fetchOffset = partition.fetchOffset;
        final long maxWaitMs = source.bounded() ? 0 : source.fetchMaxWait().toMillis();
        final Duration timeout = source.requestTimeout().plusMillis(maxWaitMs);
        askWithin(timeout, replyTo -> new Broker.Fetch(new PartitionProtocol.Fetch(partition.partition, fetchOffset,
            source.fetchMaxBytes(), 1, maxWaitMs, replyTo)), (FetchReply reply, Throwable error) ->
        {
            partition.fetching = false;
            if (reply instanceof Fetched fetched)
            {
                decode(partition, fetched.records());
            }
            else if (reply instanceof Rejected rejected && !RetriableErrors.mayRetryFetch(rejected.error()))
            {
                fail(new LogConnectorException("cannot fetch " + name(partition) + " at offset " + fetchOffset + ": "
                    + rejected.error() + ": " + rejected.message()
                    + (rejected.error() == ErrorCode.OFFSET_OUT_OF_RANGE ? " (the position is outside the log: "
                    + "records were deleted, or a committed or restored offset is beyond the log end)" : "")));
            }
            else
            {
                LOG.warn("fetching {} at offset {} failed, retrying in {} ms: {}", name(partition), fetchOffset,
                    RETRY_DELAY_MS, reply instanceof Rejected rejected ? rejected.error() + " " + rejected.message()
                        : String.valueOf(error));
                partition.retryAtMs = context.clockMs().getAsLong() + RETRY_DELAY_MS;
            }
        });
    }

    /** Buffers the records of whole batches that are at or after the fetch offset and before the stop offset. */
    private void decode(final PartitionState partition, final byte[] batches)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(batches);
        int at = 0;
        long next = partition.fetchOffset;
        while (at < batches.length)
        {
            batchReader.wrap(buffer, at, batches.length - at, at);
            if (!batchReader.batch().isControl())
            {
                while (batchReader.next())
                {
                    final RecordFlyweight record = batchReader.record();
                    final long offset = record.offset();
                    if (offset >= partition.fetchOffset && offset < partition.stopOffset)
                    {
                        partition.buffered.add(copy(partition, record));
                    }
                }
            }
            next = Math.max(next, batchReader.batch().nextOffset());
            at += batchReader.batch().sizeInBytes();
        }
        partition.fetchOffset = next;
        if (partition.buffered.isEmpty())
        {
            partition.position = Math.max(partition.position, Math.min(next, partition.stopOffset));
        }
    }

    private LogRecord copy(final PartitionState partition, final RecordFlyweight record)
    {
        final List<LogHeader> headers;
        if (record.headerCount() == 0)
        {
            headers = List.of();
        }
        else
        {
            final List<LogHeader> read = new ArrayList<>(record.headerCount());
            record.resetHeaders();
            while (record.nextHeader())
            {
                read.add(new LogHeader(
                    record.buffer().getStringWithoutLengthUtf8(record.headerKeyOffset(), record.headerKeyLength()),
                    bytes(record.buffer(), record.headerValueOffset(), record.headerValueLength())));
            }
            headers = List.copyOf(read);
        }
        return new LogRecord(topic, partition.partition.partition(), record.offset(), record.timestamp(),
            bytes(record.buffer(), record.keyOffset(), record.keyLength()),
            bytes(record.buffer(), record.valueOffset(), record.valueLength()), headers);
    }

    private static byte[] bytes(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 0)
        {
            return null;
        }
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        return copy;
    }

    /** Emits buffered records, a partition's run at a time, partitions in turn, each in offset order. */
    private int emitBuffered(final Output<T> output, final int maxRecords)
    {
        int emitted = 0;
        int empty = 0;
        while (emitted < maxRecords && !order.isEmpty() && empty < order.size())
        {
            final PartitionState partition = order.get(nextInTurn);
            nextInTurn = (nextInTurn + 1) % order.size();
            if (partition.buffered.isEmpty())
            {
                empty++;
                continue;
            }
            empty = 0;
            while (emitted < maxRecords && !partition.buffered.isEmpty())
            {
                emit(output, partition, partition.buffered.poll());
                emitted++;
            }
            if (partition.buffered.isEmpty())
            {
                partition.position = Math.max(partition.position, Math.min(partition.fetchOffset, partition.stopOffset));
            }
        }
        return emitted;
    }

    private void emit(final Output<T> output, final PartitionState partition, final LogRecord record)
    {
        final T value;
        try
        {
            value = source.deserializer().deserialize(record);
        }
        catch (final Exception | LinkageError e)
        {
            throw new LogConnectorException("cannot deserialize the record at offset " + record.offset() + " of "
                + name(partition) + ": " + e, e);
        }
        if (value == null)
        {
            throw new LogConnectorException("the deserializer returned null for the record at offset "
                + record.offset() + " of " + name(partition) + "; a source cannot emit null records");
        }
        long timestampMs = record.timestampMs() < 0 ? Watermarks.NO_TIMESTAMP : record.timestampMs();
        if (strategy != null)
        {
            timestampMs = assigner.extractTimestamp(value, timestampMs);
            partition.lastRecordMs = context.clockMs().getAsLong();
            partition.idleByTimeout = false;
            partition.generator.onEvent(value, timestampMs, partition);
        }
        partition.position = record.offset() + 1;
        output.collect(value, timestampMs);
    }

    private boolean allFinished()
    {
        for (final PartitionState partition : order)
        {
            if (!partition.finished || !partition.buffered.isEmpty())
            {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Event time per partition

    /**
     * Asks each partition's generator for its watermark and emits the minimum over the partitions that are
     * neither finished nor idle; when every remaining partition is idle, the output goes idle.
     */
    private void emitEventTime(final Output<T> output)
    {
        final long now = context.clockMs().getAsLong();
        final Duration idleness = strategy.idleness();
        long minimum = Long.MAX_VALUE;
        long maximumIdle = Watermarks.INITIAL;
        boolean anyActive = false;
        int unfinished = 0;
        for (final PartitionState partition : order)
        {
            if (partition.finished && partition.buffered.isEmpty())
            {
                continue;
            }
            unfinished++;
            partition.generator.onPeriodicEmit(partition);
            if (idleness != null && partition.buffered.isEmpty() && now - partition.lastRecordMs >= idleness.toMillis())
            {
                partition.idleByTimeout = true;
            }
            if (partition.idleByTimeout || partition.idleByGenerator)
            {
                maximumIdle = Math.max(maximumIdle, partition.watermark);
                continue;
            }
            anyActive = true;
            minimum = Math.min(minimum, partition.watermark);
        }
        if (!anyActive)
        {
            // Every remaining partition is idle (or there is none here): nothing they hold is below the highest of
            // their watermarks, so event time advances to it, and the output goes idle so that it does not hold back
            // event time downstream. When all partitions finished, the instance's final watermark follows instead.
            if (unfinished > 0 || partitions.isEmpty())
            {
                if (maximumIdle > emittedWatermark)
                {
                    emittedWatermark = maximumIdle;
                    output.emitWatermark(maximumIdle);
                }
                if (!idle)
                {
                    idle = true;
                    output.emitStatus(true);
                }
            }
            return;
        }
        if (idle)
        {
            idle = false;
            output.emitStatus(false);
        }
        if (minimum > emittedWatermark && minimum != Long.MAX_VALUE)
        {
            emittedWatermark = minimum;
            output.emitWatermark(minimum);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private void fail(final RuntimeException cause)
    {
        if (failure == null)
        {
            failure = cause;
        }
    }

    private String name(final PartitionState partition)
    {
        return "partition " + partition.partition.partition() + " of topic '" + topic + "'";
    }

    private <R> void ask(final Function<ActorRef<R>, Broker.Command> request, final BiConsumer<R, Throwable> onReply)
    {
        askWithin(source.requestTimeout(), request, onReply);
    }

    /** Asks the broker; the reply (or the timeout) is applied on the instance's thread, in a later batch. */
    private <R> void askWithin(final Duration timeout, final Function<ActorRef<R>, Broker.Command> request,
        final BiConsumer<R, Throwable> onReply)
    {
        final CompletionStage<R> reply = AskPattern.ask(broker, request::apply, timeout, context.system().scheduler());
        reply.whenComplete((value, error) ->
        {
            replies.add(() -> onReply.accept(value, error));
            context.wakeUp().run();
        });
    }

    /** One owned partition: its position, its fetched records not yet emitted and its event time. */
    private final class PartitionState implements WatermarkOutput
    {
        private final TopicPartition partition;
        private final ArrayDeque<LogRecord> buffered = new ArrayDeque<>();
        private final WatermarkGenerator<T> generator;
        private long position = -1;
        private long fetchOffset;
        private long stopOffset = Long.MAX_VALUE;
        private boolean fetching;
        private long retryAtMs;
        private boolean finished;
        private long watermark = Watermarks.INITIAL;
        private long lastRecordMs;
        private boolean idleByTimeout;
        private boolean idleByGenerator;

        PartitionState(final TopicPartition partition)
        {
            this.partition = partition;
            this.generator = strategy == null ? null : strategy.createGenerator();
        }

        @Override
        public void emitWatermark(final long watermarkMs)
        {
            watermark = Math.max(watermark, watermarkMs);
        }

        @Override
        public void markIdle()
        {
            idleByGenerator = true;
        }

        @Override
        public void markActive()
        {
            idleByGenerator = false;
        }
    }
}
