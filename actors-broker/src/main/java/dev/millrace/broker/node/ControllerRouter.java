package dev.millrace.broker.node;

import java.time.Duration;
import java.util.Optional;
import java.util.function.IntSupplier;

import dev.millrace.broker.controller.ControllerProtocol;
import org.apache.pekko.actor.ActorIdentity;
import org.apache.pekko.actor.ActorSelection;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Identify;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * "The current controller" on every node when {@code controller-placement = quorum-leader}: the one
 * {@code ActorRef<ControllerProtocol>} the node's broker, replicas, Kafka listener and start-up use, in place of the
 * singleton proxy. It sends each command to the {@link ControllerHost} of the node whose voter leads the quorum
 * journal's Raft.
 *
 * <p>Every {@code check-interval} it reads the leader's member id (this node's own voter when it leads, else what the
 * node's quorum client last heard) and finds the up member carrying that voter's role
 * ({@link ControllerPlacement#voterRole}), then that node's {@link ControllerHost} (classic {@link Identify}: a node
 * that has just come up may not run it yet, and a command sent to a missing actor would be lost). While there is no
 * leader, its member is unknown, or this node's failure
 * detector sees that member unreachable (the leader is probably dead and an election under way), commands wait in a
 * {@link PendingCommands} buffer (bounded in number and time) and go out as soon as a live leader is known. A command
 * sent to a node that dies before handling it is lost, as with the singleton proxy: callers ask with a timeout and
 * retry.
 *
 * <p>Threading: an actor.
 */
final class ControllerRouter
{
    /** The actor's name under {@code /system}. */
    static final String NAME = "controller-router";

    private record Check()
    {
    }

    private static final Check CHECK = new Check();

    private final ActorContext<Object> context;
    private final IntSupplier leaderMemberId;
    private final PendingCommands pending;
    /** The leader's node, once known. */
    private Address target;
    /** Its controller host, once it answered {@link Identify} (it may not run yet when the node has just come up). */
    private ActorRef<Object> host;

    private ControllerRouter(
        final ActorContext<Object> context, final IntSupplier leaderMemberId, final PendingCommands pending)
    {
        this.context = context;
        this.leaderMemberId = leaderMemberId;
        this.pending = pending;
    }

    /**
     * @param leaderMemberId  the quorum's leader as this node knows it, -1 when unknown
     * @param checkInterval   how often to read it
     * @param pendingTimeout  how long a command waits for a known leader
     * @param pendingCapacity how many commands may wait (the oldest is dropped beyond)
     */
    static Behavior<Object> create(
        final IntSupplier leaderMemberId, final Duration checkInterval, final Duration pendingTimeout,
        final int pendingCapacity)
    {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        {
            timers.startTimerWithFixedDelay(CHECK, checkInterval);
            final ControllerRouter router =
                new ControllerRouter(context, leaderMemberId, new PendingCommands(pendingTimeout, pendingCapacity));
            router.check();
            return router.behavior();
        }));
    }

    private Behavior<Object> behavior()
    {
        return Behaviors.receive(Object.class)
            .onMessage(Check.class, check ->
            {
                check();
                return Behaviors.same();
            })
            .onMessage(ActorIdentity.class, identity ->
            {
                onIdentity(identity);
                return Behaviors.same();
            })
            .onMessage(ControllerProtocol.class, command ->
            {
                if (host != null)
                {
                    host.tell(command);
                }
                else if (pending.add(command, System.nanoTime()))
                {
                    context.getLog().warn("controller router: {} commands waiting for a quorum leader, dropped the oldest",
                        pending.capacity());
                }
                return Behaviors.same();
            })
            .build();
    }

    private void check()
    {
        final Optional<Address> leader = leaderAddress(leaderMemberId.getAsInt());
        if (leader.isEmpty())
        {
            if (target != null)
            {
                context.getLog().info("controller router: the controller's node {} is unreachable or gone; waiting " +
                    "for the quorum's next leader", target);
            }
            target = null;
            host = null;
        }
        else if (!leader.get().equals(target))
        {
            target = leader.get();
            host = null;
        }
        if (target != null && host == null)
        {
            // Until its host answers: it may not have started yet (the node has just come up).
            final ActorSelection selection =
                Adapter.toClassic(context.getSystem()).actorSelection(target + ControllerHost.PATH);
            selection.tell(new Identify(target.toString()), Adapter.toClassic(context.getSelf()));
        }
        pending.expire(System.nanoTime());
    }

    private void onIdentity(final ActorIdentity identity)
    {
        if (target == null || host != null || !target.toString().equals(identity.correlationId()) ||
            identity.getActorRef().isEmpty())
        {
            return;
        }
        host = Adapter.toTyped(identity.getActorRef().get());
        context.getLog().info("controller router: the controller runs on {}", target);
        final ActorRef<Object> to = host;
        pending.drainTo(to::tell);
    }

    /** The address of the up, reachable member that runs voter {@code memberId}. */
    private Optional<Address> leaderAddress(final int memberId)
    {
        if (memberId < 0)
        {
            return Optional.empty();
        }
        final String role = ControllerPlacement.voterRole(memberId);
        final ClusterEvent.CurrentClusterState state = Cluster.get(context.getSystem()).state();
        for (final Member member : state.getMembers())
        {
            if (member.hasRole(role) && (member.status() == MemberStatus.up() || member.status() == MemberStatus.weaklyUp()) &&
                !state.getUnreachable().contains(member))
            {
                return Optional.of(member.address());
            }
        }
        return Optional.empty();
    }
}
