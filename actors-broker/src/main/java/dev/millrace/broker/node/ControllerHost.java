package dev.millrace.broker.node;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import dev.millrace.broker.controller.ControllerProtocol;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Runs the controller on this node while the node's quorum voter leads the quorum journal's Raft
 * ({@code controller-placement = quorum-leader}), at the well-known path {@value #PATH} on every voter node, where
 * every node's {@link ControllerRouter} sends controller commands.
 *
 * <p>Every {@code check-interval} it reads its voter's role: on becoming leader it starts the controller (which
 * recovers from the journal, then reconciles leaders with the brokers its node sees live); on losing the leadership
 * it stops it at once, so a deposed controller stops acting (its in-flight write, if any, cannot commit without the
 * Raft majority, and fails unless it is the stream's next sequence number). Commands that arrive while it does not
 * lead (the routers learned of the leadership before this node's voter did, or have not learned of its loss yet) wait
 * in a {@link PendingCommands} buffer for up to {@code pending-timeout} and go to the controller if it starts by then.
 *
 * <p>Threading: an actor; the role is read from the voter's volatile field.
 */
final class ControllerHost
{
    /** The actor's name under {@code /system}. */
    static final String NAME = "controller-host";
    /** Its path on every node, under the node's address. */
    static final String PATH = "/system/" + NAME;

    private record Check()
    {
    }

    private static final Check CHECK = new Check();

    private final ActorContext<Object> context;
    private final Behavior<ControllerProtocol> controllerBehavior;
    private final BooleanSupplier leading;
    private final PendingCommands pending;
    private ActorRef<ControllerProtocol> controller;
    private int incarnation;

    private ControllerHost(
        final ActorContext<Object> context, final Behavior<ControllerProtocol> controllerBehavior,
        final BooleanSupplier leading, final PendingCommands pending)
    {
        this.context = context;
        this.controllerBehavior = controllerBehavior;
        this.leading = leading;
        this.pending = pending;
    }

    /**
     * @param controllerBehavior the (supervised) controller to run while leading
     * @param leading            whether the node's voter leads the quorum now
     * @param checkInterval      how often to read it
     * @param pendingTimeout     how long a command waits for a controller here
     * @param pendingCapacity    how many commands may wait (the oldest is dropped beyond)
     */
    static Behavior<Object> create(
        final Behavior<ControllerProtocol> controllerBehavior, final BooleanSupplier leading,
        final Duration checkInterval, final Duration pendingTimeout, final int pendingCapacity)
    {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        {
            timers.startTimerWithFixedDelay(CHECK, checkInterval);
            final ControllerHost host = new ControllerHost(
                context, controllerBehavior, leading, new PendingCommands(pendingTimeout, pendingCapacity));
            host.check();
            return host.behavior();
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
            .onMessage(ControllerProtocol.class, command ->
            {
                if (controller != null)
                {
                    controller.tell(command);
                }
                else if (pending.add(command, System.nanoTime()))
                {
                    context.getLog().warn("controller host: {} commands waiting for this node to lead, dropped the oldest",
                        pending.capacity());
                }
                return Behaviors.same();
            })
            .build();
    }

    private void check()
    {
        final boolean leads = leading.getAsBoolean();
        if (leads && controller == null)
        {
            incarnation++;
            controller = context.spawn(controllerBehavior, "controller-" + incarnation);
            context.getLog().info("controller host: this node's quorum voter leads, controller {} started",
                controller.path().name());
        }
        else if (!leads && controller != null)
        {
            context.getLog().info("controller host: this node's quorum voter no longer leads, controller {} stopped",
                controller.path().name());
            context.stop(controller);
            controller = null;
        }
        final long now = System.nanoTime();
        pending.expire(now);
        if (controller != null)
        {
            pending.drainTo(controller::tell);
        }
    }
}
