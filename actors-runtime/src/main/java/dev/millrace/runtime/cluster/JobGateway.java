package dev.millrace.runtime.cluster;

import dev.millrace.runtime.cluster.JobProtocol.CancelReply;
import dev.millrace.runtime.cluster.JobProtocol.DescribeReply;
import dev.millrace.runtime.cluster.JobProtocol.JobDescription;
import dev.millrace.runtime.cluster.JobProtocol.SubmitReply;
import dev.millrace.serialization.kryo.MillraceMessage;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The job API for clients outside the cluster (the command line): every node that hosts jobs runs one at
 * {@link #PATH}, and a client reaches it over Artery without joining the cluster ({@link JobGatewayClient}). Joining
 * as a member, as the command line first did, made every call a membership change: while a node was unreachable the
 * client could not even become Up, and each join reset the split-brain resolver's stable-after, delaying the downing
 * of the dead node.
 *
 * <p>Each request is answered with one {@link Reply}; a request the cluster does not answer within the job API's ask
 * timeout is answered with {@link Failed}.
 *
 * <p>Threading: an actor; requests are handled concurrently (each answered when its future completes).
 */
public final class JobGateway
{
    /** The gateway's name among the node's system actors. */
    public static final String NAME = "millrace-job-gateway";

    /** Where the gateway is on every node that hosts jobs, relative to the node's address. */
    public static final String PATH = "/system/" + NAME;

    private JobGateway()
    {
    }

    /** What a client may ask. */
    public sealed interface Request extends MillraceMessage
    {
        /** Where the answer goes. */
        ActorRef<Reply> replyTo();
    }

    /** See {@link JobCluster#submit}. */
    public record SubmitJob(String className, List<String> args, ActorRef<Reply> replyTo) implements Request
    {
    }

    /** See {@link JobCluster#list}. */
    public record ListJobs(ActorRef<Reply> replyTo) implements Request
    {
    }

    /** See {@link JobCluster#describe}. */
    public record DescribeJob(String jobId, ActorRef<Reply> replyTo) implements Request
    {
    }

    /** See {@link JobCluster#cancel}. */
    public record CancelJob(String jobId, ActorRef<Reply> replyTo) implements Request
    {
    }

    /** The answer to a {@link Request}. */
    public sealed interface Reply extends MillraceMessage
    {
    }

    /** @param reply the answer to {@link SubmitJob} */
    public record Submitted(SubmitReply reply) implements Reply
    {
    }

    /** @param jobs the answer to {@link ListJobs} */
    public record Listed(List<JobDescription> jobs) implements Reply
    {
    }

    /** @param reply the answer to {@link DescribeJob} */
    public record Described(DescribeReply reply) implements Reply
    {
    }

    /** @param reply the answer to {@link CancelJob} */
    public record Cancelled(CancelReply reply) implements Reply
    {
    }

    /** @param reason why the node could not answer (the cluster did not, within the ask timeout, or failed) */
    public record Failed(String reason) implements Reply
    {
    }

    /** A gateway serving {@code jobs}. */
    public static Behavior<Request> create(final JobCluster jobs)
    {
        return Behaviors.receiveMessage(request ->
        {
            if (request instanceof SubmitJob submit)
            {
                answer(jobs.submit(submit.className(), submit.args()), Submitted::new, submit);
            }
            else if (request instanceof ListJobs list)
            {
                answer(jobs.list(), jobList -> new Listed(List.copyOf(jobList)), list);
            }
            else if (request instanceof DescribeJob describe)
            {
                answer(jobs.describe(describe.jobId()), Described::new, describe);
            }
            else if (request instanceof CancelJob cancel)
            {
                answer(jobs.cancel(cancel.jobId()), Cancelled::new, cancel);
            }
            return Behaviors.same();
        });
    }

    private static <T> void answer(final CompletionStage<T> answer, final Function<T, Reply> toReply, final Request request)
    {
        answer.whenComplete((value, failure) -> request.replyTo().tell(failure == null ? toReply.apply(value) :
            new Failed(failure.getClass().getSimpleName() + ": " + failure.getMessage())));
    }
}
