package dev.millrace.broker.node;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.AlterIsr;
import dev.millrace.broker.controller.ControllerProtocol.AlterIsrReply;
import dev.millrace.broker.controller.ControllerProtocol.IsrAltered;
import dev.millrace.broker.controller.PartitionImage;
import dev.millrace.broker.partition.IsrChanger;
import dev.millrace.broker.partition.PartitionProtocol.LeaderAndIsr;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The node's {@link IsrChanger}: asks the controller ({@link AlterIsr}) and turns its answer into the partition's new
 * {@link LeaderAndIsr} ({@link IsrAltered}), or into a stage failed with {@link IsrChangeRefusedException}
 * ({@link ControllerProtocol.Rejected}); a timeout fails the stage with the ask's own exception. Either way the leader
 * may ask again later.
 *
 * <p>Threading: stateless; safe from any thread.
 */
final class ControllerIsrChanger implements IsrChanger
{
    private final ActorRef<ControllerProtocol> controller;
    private final Duration askTimeout;
    private final Scheduler scheduler;

    ControllerIsrChanger(final ActorRef<ControllerProtocol> controller, final Duration askTimeout, final Scheduler scheduler)
    {
        this.controller = controller;
        this.askTimeout = askTimeout;
        this.scheduler = scheduler;
    }

    @Override
    public CompletionStage<LeaderAndIsr> alterIsr(
        final TopicPartition topicPartition, final int leaderId, final int leaderEpoch, final int partitionEpoch,
        final List<Integer> newIsr)
    {
        final CompletionStage<AlterIsrReply> reply = AskPattern.ask(
            controller,
            replyTo -> new AlterIsr(
                topicPartition.topic(), topicPartition.partition(), leaderId, leaderEpoch, partitionEpoch, newIsr, replyTo),
            askTimeout, scheduler);
        return reply.thenCompose(answer -> toDecision(topicPartition, answer));
    }

    static CompletionStage<LeaderAndIsr> toDecision(final TopicPartition topicPartition, final AlterIsrReply answer)
    {
        if (answer instanceof IsrAltered altered)
        {
            return CompletableFuture.completedFuture(decisionOf(topicPartition, altered.partition()));
        }
        if (answer instanceof ControllerProtocol.Rejected rejected)
        {
            return CompletableFuture.failedFuture(new IsrChangeRefusedException(
                "the controller refused the ISR change of " + topicPartition + ": " + rejected.error() + ": " +
                rejected.message()));
        }
        return CompletableFuture.failedFuture(new IllegalStateException("unexpected answer to AlterIsr: " + answer));
    }

    /** The decision a replica applies, from the controller's image of its partition. */
    static LeaderAndIsr decisionOf(final TopicPartition topicPartition, final PartitionImage partition)
    {
        return new LeaderAndIsr(topicPartition, partition.leader(), partition.leaderEpoch(), partition.partitionEpoch(),
            partition.isr(), partition.replicas());
    }
}
