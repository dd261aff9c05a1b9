package dev.millrace.runtime.cluster;

import dev.millrace.runtime.execution.ExchangeMetrics;
import dev.millrace.runtime.execution.JobState;
import dev.millrace.serialization.kryo.MillraceMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the job API answers: submit, describe, list and cancel replies, and a job's description. */
public final class JobProtocol
{
    private JobProtocol()
    {
    }

    /** The answer to a submit. */
    public sealed interface SubmitReply extends MillraceMessage
    {
    }

    /**
     * The job was accepted: its instances are placed and being deployed.
     *
     * @param jobId the job's id, for describe and cancel
     */
    public record Accepted(String jobId) implements SubmitReply
    {
    }

    /**
     * The job was refused and does not exist.
     *
     * @param reason why, precisely
     */
    public record Refused(String reason) implements SubmitReply
    {
    }

    /** The answer to a cancel. */
    public sealed interface CancelReply extends MillraceMessage
    {
    }

    /**
     * The job was cancelled (or had already ended: then {@code state} is how it ended).
     *
     * @param jobId the job
     * @param state its state now
     */
    public record CancelDone(String jobId, JobState state) implements CancelReply
    {
    }

    /**
     * No job has this id.
     *
     * @param jobId the id asked for
     */
    public record UnknownJob(String jobId) implements CancelReply, DescribeReply
    {
    }

    /** The answer to a describe. */
    public sealed interface DescribeReply extends MillraceMessage
    {
    }

    /** Where an instance is in its life. */
    public enum InstanceStatus
    {
        /** A task slot is reserved for it on its node. */
        PLACED,
        /** It exists on its node and was started. */
        DEPLOYED,
        /** Its input ended and its output was consumed. */
        FINISHED,
        /** It failed, or was lost with its node. */
        FAILED,
        /** It was stopped because the job was cancelled or another instance failed. */
        CANCELED
    }

    /**
     * One operator instance of a job.
     *
     * @param vertexId   its vertex
     * @param vertexName the vertex's name
     * @param subtask    its index
     * @param node       the node (cluster address) whose task slot it occupies
     * @param status     its status
     */
    public record InstanceDescription(int vertexId, String vertexName, int subtask, String node,
                                      InstanceStatus status) implements MillraceMessage
    {
    }

    /**
     * The exchange figures of a job's instances on one node (from {@link ExchangeMetrics}).
     *
     * @param blockedMsByVertex  per vertex id, the time its instances on the node waited for credit (back-pressure)
     * @param buffersSent        buffers sent
     * @param recordsSent        records sent
     * @param buffersInFlight    buffers sent and not yet consumed
     * @param maxBuffersInFlight their high-water mark
     * @param encodedBuffers     buffers encoded for receivers on other nodes (the rest went by reference)
     * @param encodedBytes       their bytes
     */
    public record NodeFigures(List<Long> blockedMsByVertex, long buffersSent, long recordsSent, long buffersInFlight,
                              long maxBuffersInFlight, long encodedBuffers, long encodedBytes) implements MillraceMessage
    {
        /** No figures: the instance never ran. */
        public static final NodeFigures NONE = new NodeFigures(List.of(), 0, 0, 0, 0, 0, 0);

        /** @param metrics a job's counters on this node @param vertices its vertex count @return their figures */
        static NodeFigures of(final ExchangeMetrics metrics, final int vertices)
        {
            final List<Long> blocked = new ArrayList<>(vertices);
            for (int vertex = 0; vertex < vertices; vertex++)
            {
                blocked.add(metrics.blockedNanos(vertex) / 1_000_000);
            }
            return new NodeFigures(List.copyOf(blocked), metrics.buffersSent(), metrics.recordsSent(),
                metrics.buffersInFlight(), metrics.maxBuffersInFlight(), metrics.encodedBuffers(),
                metrics.encodedBytes());
        }
    }

    /**
     * A job as its master knows it.
     *
     * @param jobId         the id
     * @param name          the graph's name
     * @param className     the job definition's class
     * @param args          its arguments
     * @param state         the job's state
     * @param failure       why it failed, or empty
     * @param submittedAtMs wall-clock time of the submit
     * @param endedAtMs     wall-clock time it ended, or 0
     * @param instances     every instance, by vertex then subtask
     * @param figuresByNode the latest exchange figures per node (the final ones once the job ended)
     */
    public record JobDescription(String jobId, String name, String className, List<String> args, JobState state,
                                 String failure, long submittedAtMs, long endedAtMs,
                                 List<InstanceDescription> instances, Map<String, NodeFigures> figuresByNode)
        implements DescribeReply
    {
    }
}
