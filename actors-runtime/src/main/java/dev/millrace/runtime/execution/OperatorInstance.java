package dev.millrace.runtime.execution;

import com.typesafe.config.Config;
import dev.millrace.runtime.api.SourceReader;
import dev.millrace.runtime.exchange.BufferCodec;
import dev.millrace.runtime.graph.InputChannel;
import dev.millrace.runtime.graph.JobEdge;
import dev.millrace.runtime.graph.JobGraph;
import dev.millrace.runtime.graph.JobVertex;
import dev.millrace.runtime.graph.Partitioning;
import dev.millrace.runtime.operators.ProcessingTimeService;
import dev.millrace.runtime.operators.StreamOperator;
import dev.millrace.runtime.state.UserCodeException;
import dev.millrace.runtime.time.WatermarkValve;
import dev.millrace.runtime.time.Watermarks;
import dev.millrace.serialization.kryo.MillraceMessage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One parallel instance of a vertex: runs the vertex's operator chain, reading either its source or its
 * input channels, and writing its output edges.
 *
 * <h2>Flow control</h2>
 * Each input channel starts with {@code credits-per-channel} credits granted to its sender; a consumed
 * buffer returns one credit. A sender sends a buffer only against a credit and otherwise keeps it; while it
 * keeps any, it takes no more input (a source stops reading), so a slow instance slows everything upstream
 * and at most {@code credits} buffers per channel are ever in flight. Work is done in turns of
 * {@code buffers-per-turn} buffers, so credits, timers and cancellation interleave with processing.
 *
 * <h2>Protocol</h2>
 * {@link Start} (from the job master, with every instance's ref), {@link Deliver} (a buffer on an input
 * channel from a sender in this JVM, by reference), {@link DeliverBytes} (the same from a sender on another
 * node, encoded once by a {@link BufferCodec}), {@link Credit} (from a receiver), {@link Cancel}. Every message
 * but {@code Deliver} crosses nodes (Artery; Kryo ids in this module's block). The instance reports
 * {@code InstanceFinished} after its input ended and every output buffer, end-of-input included, was consumed
 * by its receiver (so no credit is ever sent to a stopped instance), or {@code InstanceFailed} with the cause
 * of the first exception, and stops.
 *
 * <p>Threading: an actor; the chain and its state are confined to it.
 */
public final class OperatorInstance extends AbstractBehavior<OperatorInstance.Command>
{
    /** Messages of an operator instance. */
    public sealed interface Command
    {
    }

    /**
     * Starts the instance once every instance of the job exists.
     *
     * @param instances every instance of the job, by vertex id then subtask
     */
    public record Start(List<List<ActorRef<Command>>> instances) implements Command, MillraceMessage
    {
    }

    /**
     * A buffer on an input channel from a sender in this JVM. Carries records by reference, no copy: never
     * serialized (a sender whose receiver is on another node sends {@link DeliverBytes}).
     *
     * @param channel the receiver's input channel index
     * @param buffer  the elements
     */
    public record Deliver(int channel, Buffer buffer) implements Command
    {
    }

    /**
     * A buffer on an input channel from a sender on another node: the elements encoded once by the sender's
     * {@link BufferCodec}, decoded by the receiver. One credit, like {@link Deliver}.
     *
     * @param channel the receiver's input channel index
     * @param bytes   the encoded elements
     */
    public record DeliverBytes(int channel, byte[] bytes) implements Command, MillraceMessage
    {
    }

    /**
     * Credit from a receiver for one of the sender's channels: the initial grant, then one credit back per
     * consumed buffer (end of input included, so a sender knows when everything it sent was consumed).
     *
     * @param edgeId        the edge
     * @param targetSubtask the receiving instance
     * @param credits       buffers the sender may send
     * @param consumed      buffers the receiver consumed (0 for the initial grant)
     */
    public record Credit(int edgeId, int targetSubtask, int credits, int consumed) implements Command, MillraceMessage
    {
    }

    /** Stops the instance at once (the job is cancelled or failed). */
    public enum Cancel implements Command, MillraceMessage
    {
        INSTANCE
    }

    private enum Drive implements Command
    {
        INSTANCE
    }

    private enum FireTimers implements Command
    {
        INSTANCE
    }

    private record Delivered(int channel, Buffer buffer)
    {
    }

    private final JobGraph graph;
    private final JobVertex vertex;
    private final int subtask;
    private final RuntimeSettings settings;
    private final ExchangeMetrics metrics;
    private final ActorRef<JobMaster.Command> master;
    private final TimerScheduler<Command> timers;
    private final InstanceTime time;
    private final ArrayDeque<Delivered> inputQueue = new ArrayDeque<>();
    private final List<ActorRef<Command>> channelSenders = new ArrayList<>();
    private final List<Credit> channelCredits = new ArrayList<>();
    /** Credits that arrived before Start (a receiver may start first): applied once the chain exists. */
    private final List<Credit> earlyCredits = new ArrayList<>();
    private OperatorChain chain;
    private WatermarkValve valve;
    private SourceReader.Output<Object> sourceCollector;
    private int endedChannels;
    private boolean inputEnded;
    private boolean driveScheduled;
    private long blockedSinceNs;
    /** Encodes buffers for receivers on other nodes and decodes theirs; made when first needed. */
    private BufferCodec codec;

    private OperatorInstance(final ActorContext<Command> context, final TimerScheduler<Command> timers,
        final JobGraph graph, final int vertexId, final int subtask, final RuntimeSettings settings,
        final ExchangeMetrics metrics, final ActorRef<JobMaster.Command> master, final LongSupplier clockMs)
    {
        super(context);
        this.timers = timers;
        this.graph = graph;
        this.vertex = graph.vertex(vertexId);
        this.subtask = subtask;
        this.settings = settings;
        this.metrics = metrics;
        this.master = master;
        this.time = new InstanceTime(clockMs);
    }

    /**
     * @param graph    the job
     * @param vertexId this instance's vertex
     * @param subtask  this instance's index
     * @param settings exchange and turn sizes
     * @param metrics  the job's exchange counters
     * @param master   receives finished/failed reports
     * @param clockMs  the processing-time clock
     * @return the behavior, waiting for {@link Start}
     */
    public static Behavior<Command> create(final JobGraph graph, final int vertexId, final int subtask,
        final RuntimeSettings settings, final ExchangeMetrics metrics, final ActorRef<JobMaster.Command> master,
        final LongSupplier clockMs)
    {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new OperatorInstance(context, timers, graph,
            vertexId, subtask, settings, metrics, master, clockMs)));
    }

    @Override
    public Receive<Command> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(Start.class, this::onStart)
            .onMessage(Deliver.class, this::onDeliver)
            .onMessage(DeliverBytes.class, this::onDeliverBytes)
            .onMessage(Credit.class, this::onCredit)
            .onMessage(Drive.class, this::onDrive)
            .onMessage(FireTimers.class, this::onFireTimers)
            .onMessage(Cancel.class, this::onCancel)
            .onSignal(PostStop.class, this::onPostStop)
            .build();
    }

    private Behavior<Command> onStart(final Start start)
    {
        try
        {
            final Map<Integer, RecordWriter> writers = new HashMap<>();
            for (final int edgeId : vertex.outputEdges())
            {
                final JobEdge edge = graph.edge(edgeId);
                final List<Integer> targets = graph.targetSubtasks(edgeId, subtask);
                final ChannelWriter[] channels = new ChannelWriter[targets.size()];
                for (int i = 0; i < channels.length; i++)
                {
                    final int target = targets.get(i);
                    final ActorRef<Command> receiver = start.instances().get(edge.targetVertex()).get(target);
                    channels[i] = new ChannelWriter(receiver, receiverChannel(edge, target), settings.bufferRecords(),
                        metrics, receiver.path().address().hasLocalScope() ? null : codec());
                }
                writers.put(edgeId, new RecordWriter(edgeId, edge.partitioning(), graph.maxParallelism(), channels,
                    subtask));
            }
            final ActorRef<Command> self = getContext().getSelf();
            chain = OperatorChain.build(graph, vertex, subtask, writers, time, getContext().getSystem(),
                () -> self.tell(Drive.INSTANCE));
            final List<InputChannel> inputs = graph.inputChannels(vertex.id(), subtask);
            valve = new WatermarkValve(inputs.size(), new HeadTime());
            for (final InputChannel input : inputs)
            {
                final ActorRef<Command> sender =
                    start.instances().get(graph.edge(input.edgeId()).sourceVertex()).get(input.sourceSubtask());
                channelSenders.add(sender);
                channelCredits.add(new Credit(input.edgeId(), subtask, 1, 1));
            }
            chain.open();
            for (int channel = 0; channel < inputs.size(); channel++)
            {
                channelSenders.get(channel).tell(new Credit(inputs.get(channel).edgeId(), subtask,
                    settings.creditsPerChannel(), 0));
            }
            for (final Credit credit : earlyCredits)
            {
                applyCredit(credit);
            }
            earlyCredits.clear();
            if (chain.isSource())
            {
                sourceCollector = new SourceOutput(chain.sourceOutput());
                scheduleDrive();
            }
            return this;
        }
        catch (final Throwable e)
        {
            return fail(e);
        }
    }

    private int receiverChannel(final JobEdge edge, final int targetSubtask)
    {
        final List<InputChannel> channels = graph.inputChannels(edge.targetVertex(), targetSubtask);
        return channels.indexOf(new InputChannel(edge.id(), subtask));
    }

    private Behavior<Command> onDeliver(final Deliver deliver)
    {
        inputQueue.add(new Delivered(deliver.channel(), deliver.buffer()));
        return drive();
    }

    private Behavior<Command> onDeliverBytes(final DeliverBytes deliver)
    {
        try
        {
            inputQueue.add(new Delivered(deliver.channel(), codec().decode(deliver.bytes())));
        }
        catch (final Throwable e)
        {
            return fail(e);
        }
        return drive();
    }

    private BufferCodec codec()
    {
        if (codec == null)
        {
            codec = new BufferCodec(getContext().getSystem().dynamicAccess().classLoader(),
                remoteMessageLimit(getContext().getSystem().settings().config()));
        }
        return codec;
    }

    /**
     * The largest encoded buffer a remote message carries: Artery's frame size (and the message serializer's
     * largest output, if smaller) less room for the envelope (recipient and sender paths, serializer id).
     * Artery would drop a larger message, stalling the channel, so the sender fails instead, naming the settings.
     */
    private static int remoteMessageLimit(final Config config)
    {
        final String frameSize = "pekko.remote.artery.advanced.maximum-frame-size";
        final String serializerMax = "millrace.serialization.kryo.max-buffer-size";
        long limit = config.hasPath(frameSize) ? config.getBytes(frameSize) : 256 * 1024;
        if (config.hasPath(serializerMax))
        {
            limit = Math.min(limit, config.getBytes(serializerMax));
        }
        return (int) Math.max(64, Math.min(Integer.MAX_VALUE, limit - 4 * 1024));
    }

    private Behavior<Command> onCredit(final Credit credit)
    {
        if (chain == null)
        {
            earlyCredits.add(credit);
            return this;
        }
        try
        {
            // Sends the buffers waiting for this credit, which may encode them for another node.
            applyCredit(credit);
        }
        catch (final Throwable e)
        {
            return fail(e);
        }
        return drive();
    }

    private void applyCredit(final Credit credit)
    {
        final boolean forward = graph.edge(credit.edgeId()).partitioning().kind() == Partitioning.Kind.FORWARD;
        chain.writer(credit.edgeId()).onCredit(forward ? 0 : credit.targetSubtask(), credit.credits(), credit.consumed());
    }

    private Behavior<Command> onDrive(final Drive drive)
    {
        driveScheduled = false;
        return drive();
    }

    private Behavior<Command> drive()
    {
        try
        {
            if (blockedSinceNs != 0)
            {
                metrics.onBlocked(vertex.id(), System.nanoTime() - blockedSinceNs);
                blockedSinceNs = 0;
            }
            chain.pollAsync();
            if (chain.isSource())
            {
                driveSource();
            }
            else
            {
                driveInput();
            }
            trackBackPressure();
            if (inputEnded && chain.isDrained())
            {
                master.tell(new JobMaster.InstanceFinished(vertex.id(), subtask));
                return Behaviors.stopped();
            }
            return this;
        }
        catch (final Throwable e)
        {
            return fail(e);
        }
    }

    private void driveSource() throws Exception
    {
        int budget = settings.buffersPerTurn();
        while (budget-- > 0 && !inputEnded && !chain.isBlocked())
        {
            final int emitted = chain.sourceReader().emitBatch(sourceCollector, settings.bufferRecords());
            chain.batchEnd();
            if (emitted < 0)
            {
                chain.sourceOutput().emitWatermark(Watermarks.END_OF_TIME);
                endInput();
                return;
            }
            if (emitted == 0)
            {
                // Nothing at hand: ask again shortly instead of spinning.
                chain.flush();
                timers.startSingleTimer("source-poll", Drive.INSTANCE, Duration.ofMillis(10));
                return;
            }
        }
        if (!inputEnded && !chain.isBlocked())
        {
            scheduleDrive();
        }
        chain.flush();
    }

    private void driveInput() throws Exception
    {
        int budget = settings.buffersPerTurn();
        while (budget-- > 0 && !inputEnded && !inputQueue.isEmpty() && !chain.isBlocked())
        {
            final Delivered delivered = inputQueue.poll();
            process(delivered.channel(), delivered.buffer());
        }
        if (!inputEnded && !inputQueue.isEmpty() && !chain.isBlocked())
        {
            scheduleDrive();
        }
        else if (inputQueue.isEmpty() && !inputEnded)
        {
            chain.flush();
        }
    }

    private void process(final int channel, final Buffer buffer) throws Exception
    {
        final StreamOperator<Object, Object> head = chain.head();
        for (int i = 0; i < buffer.size(); i++)
        {
            switch (buffer.kind(i))
            {
                case Buffer.RECORD -> head.processElement(buffer.value(i), buffer.timestamp(i));
                case Buffer.WATERMARK -> valve.inputWatermark(channel, buffer.timestamp(i));
                case Buffer.IDLE -> valve.inputStatus(channel, true);
                case Buffer.ACTIVE -> valve.inputStatus(channel, false);
                case Buffer.END_OF_INPUT ->
                {
                    valve.inputEnded(channel);
                    endedChannels++;
                }
                default -> throw new IllegalStateException("unknown element kind " + buffer.kind(i));
            }
        }
        chain.batchEnd();
        channelSenders.get(channel).tell(channelCredits.get(channel));
        if (endedChannels == channelSenders.size())
        {
            endInput();
        }
    }

    private void endInput() throws Exception
    {
        inputEnded = true;
        chain.finish();
    }

    private void scheduleDrive()
    {
        if (!driveScheduled)
        {
            driveScheduled = true;
            getContext().getSelf().tell(Drive.INSTANCE);
        }
    }

    /**
     * Counts the time from a turn that ended blocked on credit to the next message (a credit, usually): the
     * time this instance waited for its receivers, i.e. its back-pressure.
     */
    private void trackBackPressure()
    {
        final long nowNs = System.nanoTime();
        if (blockedSinceNs != 0)
        {
            metrics.onBlocked(vertex.id(), nowNs - blockedSinceNs);
            blockedSinceNs = 0;
        }
        if (chain.isBlocked())
        {
            blockedSinceNs = nowNs;
        }
    }

    private Behavior<Command> onFireTimers(final FireTimers fire)
    {
        try
        {
            time.fireDue();
            return drive();
        }
        catch (final Throwable e)
        {
            return fail(e);
        }
    }

    private Behavior<Command> onCancel(final Cancel cancel)
    {
        return Behaviors.stopped();
    }

    /** Releases the operators' state (RocksDB's native memory and directory) however the instance stopped. */
    private Behavior<Command> onPostStop(final PostStop signal)
    {
        if (chain != null)
        {
            chain.close();
        }
        return this;
    }

    private Behavior<Command> fail(final Throwable failure)
    {
        final Throwable cause = UserCodeException.unwrap(failure);
        getContext().getLog().info("instance {}/{} of '{}' failed: {}", vertex.id(), subtask, vertex.name(), cause.toString());
        master.tell(new JobMaster.InstanceFailed(vertex.id(), subtask, FailureCause.of(cause)));
        return Behaviors.stopped();
    }

    /** A source reader's output: records, and the watermarks and status of a source that tracks event time. */
    private record SourceOutput(RoutingOutput output) implements SourceReader.Output<Object>
    {
        @Override
        public void collect(final Object record, final long timestampMs)
        {
            output.collect(record, timestampMs);
        }

        @Override
        public void emitWatermark(final long watermarkMs)
        {
            output.emitWatermark(watermarkMs);
        }

        @Override
        public void emitStatus(final boolean idle)
        {
            output.emitStatus(idle);
        }
    }

    /** Feeds the combined watermark and status of the input channels to the head operator. */
    private final class HeadTime implements WatermarkValve.Listener
    {
        @Override
        public void onWatermark(final long watermarkMs)
        {
            try
            {
                chain.head().processWatermark(watermarkMs);
            }
            catch (final RuntimeException e)
            {
                throw e;
            }
            catch (final Exception e)
            {
                throw new UserCodeException(e);
            }
        }

        @Override
        public void onStatus(final boolean idle)
        {
            chain.head().processStatus(idle);
        }
    }

    /** The instance's clock and processing-time callbacks, fired by one Pekko timer at the earliest time. */
    private final class InstanceTime implements ProcessingTimeService
    {
        private final LongSupplier clockMs;
        private final TreeMap<Long, List<Callback>> callbacks = new TreeMap<>();

        InstanceTime(final LongSupplier clockMs)
        {
            this.clockMs = clockMs;
        }

        @Override
        public long currentTimeMillis()
        {
            return clockMs.getAsLong();
        }

        @Override
        public void registerTimer(final long timeMs, final Callback callback)
        {
            final boolean earliest = callbacks.isEmpty() || timeMs < callbacks.firstKey();
            callbacks.computeIfAbsent(timeMs, t -> new ArrayList<>()).add(callback);
            if (earliest)
            {
                schedule();
            }
        }

        void fireDue() throws Exception
        {
            final long now = currentTimeMillis();
            while (!callbacks.isEmpty() && callbacks.firstKey() <= now)
            {
                final Map.Entry<Long, List<Callback>> due = callbacks.pollFirstEntry();
                for (final Callback callback : due.getValue())
                {
                    callback.onProcessingTime(due.getKey());
                }
            }
            if (!callbacks.isEmpty())
            {
                schedule();
            }
        }

        private void schedule()
        {
            final long delayMs = Math.max(0, callbacks.firstKey() - currentTimeMillis());
            timers.startSingleTimer("processing-time", FireTimers.INSTANCE, Duration.ofMillis(delayMs));
        }
    }
}
