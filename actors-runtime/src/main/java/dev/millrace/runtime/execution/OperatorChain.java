package dev.millrace.runtime.execution;

import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.api.SourceContext;
import dev.millrace.runtime.api.SourceReader;
import dev.millrace.runtime.graph.JobEdge;
import dev.millrace.runtime.graph.JobGraph;
import dev.millrace.runtime.graph.JobVertex;
import dev.millrace.runtime.graph.OperatorNode;
import dev.millrace.runtime.operators.AsyncOperator;
import dev.millrace.runtime.operators.OperatorContext;
import dev.millrace.runtime.operators.ProcessingTimeService;
import dev.millrace.runtime.operators.StreamOperator;
import dev.millrace.runtime.state.KeyGroupRangeAssignment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators of one vertex instance wired together: each operator's output calls the operators chained
 * after it and writes to the exchanges that start at it. The head is either a source reader or the operator
 * that the instance feeds from its input channels.
 *
 * <p>Threading: confined to the instance's actor.
 */
final class OperatorChain
{
    private static final Logger LOG = LoggerFactory.getLogger(OperatorChain.class);

    private final List<StreamOperator<Object, Object>> operators;
    private final StreamOperator<Object, Object> headOperator;
    private final SourceReader<Object> sourceReader;
    private final RoutingOutput sourceOutput;
    private final Map<Integer, RecordWriter> writers;
    private final List<AsyncOperator> asyncOperators = new ArrayList<>();

    private OperatorChain(final List<StreamOperator<Object, Object>> operators,
        final StreamOperator<Object, Object> head,
        final SourceReader<Object> sourceReader, final RoutingOutput sourceOutput, final Map<Integer, RecordWriter> writers)
    {
        this.operators = operators;
        this.headOperator = head;
        this.sourceReader = sourceReader;
        this.sourceOutput = sourceOutput;
        this.writers = writers;
        for (final StreamOperator<Object, Object> operator : operators)
        {
            if (operator instanceof AsyncOperator async)
            {
                asyncOperators.add(async);
            }
        }
    }

    /**
     * @param graph          the job
     * @param vertex         this instance's vertex
     * @param subtask        this instance
     * @param writers        the record writers of the vertex's output edges, by edge id
     * @param processingTime the instance's clock and timers
     * @param system         the actor system, for sources and asynchronous operators
     * @param wakeUp         thread-safe: drives the instance again (an asynchronous reply arrived)
     * @return the wired chain, operators set up but not opened
     */
    @SuppressWarnings("unchecked")
    static OperatorChain build(final JobGraph graph, final JobVertex vertex, final int subtask,
        final Map<Integer, RecordWriter> writers, final ProcessingTimeService processingTime,
        final ActorSystem<?> system, final Runnable wakeUp)
    {
        final Map<Integer, StreamOperator<Object, Object>> byNode = new HashMap<>();
        final Map<Integer, RoutingOutput> outputs = new HashMap<>();
        final List<OperatorNode> nodes = vertex.nodes();
        // Tail first, so every output's targets exist when it is built.
        for (int i = nodes.size() - 1; i >= 0; i--)
        {
            final OperatorNode node = nodes.get(i);
            final List<ElementTarget> main = new ArrayList<>();
            final Map<OutputTag<?>, List<ElementTarget>> side = new HashMap<>();
            final List<ElementTarget> all = new ArrayList<>();
            for (final int chainedNode : vertex.chainedOutputs().getOrDefault(node.id(), List.of()))
            {
                final ElementTarget target = new ChainedTarget(byNode.get(chainedNode));
                main.add(target);
                all.add(target);
            }
            for (final int edgeId : vertex.outputEdges())
            {
                final JobEdge edge = graph.edge(edgeId);
                if (edge.sourceNode() != node.id())
                {
                    continue;
                }
                final RecordWriter writer = writers.get(edgeId);
                if (edge.tag() == null)
                {
                    main.add(writer);
                }
                else
                {
                    side.computeIfAbsent(edge.tag(), tag -> new ArrayList<>()).add(writer);
                }
                all.add(writer);
            }
            final RoutingOutput output = new RoutingOutput(main, side, all);
            outputs.put(node.id(), output);
            if (node.operatorFactory() != null)
            {
                final StreamOperator<Object, Object> operator =
                    (StreamOperator<Object, Object>) node.operatorFactory().get();
                byNode.put(node.id(), operator);
                try
                {
                    operator.setup(new OperatorContext(node.name(), subtask, vertex.parallelism(),
                        graph.maxParallelism(),
                        KeyGroupRangeAssignment.rangeFor(graph.maxParallelism(), vertex.parallelism(), subtask),
                        processingTime, graph.stateBackend()), output);
                    if (operator instanceof AsyncOperator async)
                    {
                        async.attach(system, wakeUp);
                    }
                }
                catch (final RuntimeException | Error e)
                {
                    closeAll(byNode.values());
                    throw e;
                }
            }
        }
        final List<StreamOperator<Object, Object>> ordered = new ArrayList<>();
        for (final OperatorNode node : nodes)
        {
            final StreamOperator<Object, Object> operator = byNode.get(node.id());
            if (operator != null)
            {
                ordered.add(operator);
            }
        }
        final OperatorNode head = vertex.head();
        if (head.source() != null)
        {
            final SourceReader<Object> reader =
                (SourceReader<Object>) head.source().createReader(new SourceContext(subtask, vertex.parallelism(),
                    system, wakeUp, processingTime::currentTimeMillis));
            return new OperatorChain(ordered, null, reader, outputs.get(head.id()), writers);
        }
        return new OperatorChain(ordered, byNode.get(head.id()), null, null, writers);
    }

    /** @throws Exception when an operator fails to open */
    void open() throws Exception
    {
        for (final StreamOperator<Object, Object> operator : operators)
        {
            operator.open();
        }
    }

    boolean isSource()
    {
        return sourceReader != null;
    }

    StreamOperator<Object, Object> head()
    {
        return headOperator;
    }

    SourceReader<Object> sourceReader()
    {
        return sourceReader;
    }

    RoutingOutput sourceOutput()
    {
        return sourceOutput;
    }

    /** @throws Exception from an operator */
    void batchEnd() throws Exception
    {
        for (final StreamOperator<Object, Object> operator : operators)
        {
            operator.onBatchEnd();
        }
    }

    /**
     * Finishes the operators head first (what one emits while finishing still reaches the next), then ends
     * every output channel.
     *
     * @throws Exception from an operator
     */
    void finish() throws Exception
    {
        for (final StreamOperator<Object, Object> operator : operators)
        {
            operator.finish();
            operator.onBatchEnd();
        }
        for (final RecordWriter writer : writers.values())
        {
            writer.endOfInput();
        }
    }

    /** Closes every operator (their state backends), also after a failure; never throws. */
    void close()
    {
        closeAll(operators);
    }

    private static void closeAll(final Iterable<StreamOperator<Object, Object>> toClose)
    {
        for (final StreamOperator<Object, Object> operator : toClose)
        {
            try
            {
                operator.close();
            }
            catch (final RuntimeException e)
            {
                // Closing must reach every operator; a failing close has nothing left to release.
                LOG.warn("closing an operator failed", e);
            }
        }
    }

    void flush()
    {
        for (final RecordWriter writer : writers.values())
        {
            writer.flush();
        }
    }

    boolean isBlocked()
    {
        for (final RecordWriter writer : writers.values())
        {
            if (writer.isBlocked())
            {
                return true;
            }
        }
        for (final AsyncOperator async : asyncOperators)
        {
            if (async.isBackPressured())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Lets asynchronous operators apply their replies.
     *
     * @throws Exception an asynchronous failure
     */
    void pollAsync() throws Exception
    {
        for (final AsyncOperator async : asyncOperators)
        {
            async.poll();
        }
    }

    /** @return whether every buffer this instance sent was consumed by its receiver, and no asynchronous work is pending */
    boolean isDrained()
    {
        for (final RecordWriter writer : writers.values())
        {
            if (!writer.isDrained())
            {
                return false;
            }
        }
        for (final AsyncOperator async : asyncOperators)
        {
            if (async.hasPendingWork())
            {
                return false;
            }
        }
        return true;
    }

    RecordWriter writer(final int edgeId)
    {
        return writers.get(edgeId);
    }
}
