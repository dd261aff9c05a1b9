package dev.millrace.broker.kafka;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;

import dev.millrace.broker.controller.ClusterImage;
import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.node.Broker;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;

/**
 * What the APIs talk to: the node's {@link Broker} facade (and its controller for the metadata image), this broker's
 * id and the address the listener advertises.
 *
 * <p>Threading: immutable; the port supplier is read after the listener is bound.
 */
record BrokerContext(
    ActorSystem<?> system, ActorRef<Broker.Command> broker, ActorRef<ControllerProtocol> controller, int brokerId,
    String host, IntSupplier port, Duration askTimeout)
{
    /** Asks the broker facade. */
    <T> CompletionStage<T> ask(final Function<ActorRef<T>, Broker.Command> message)
    {
        return ask(message, askTimeout);
    }

    /** Asks the broker facade with a longer timeout (fetches that wait for data). */
    <T> CompletionStage<T> ask(final Function<ActorRef<T>, Broker.Command> message, final Duration timeout)
    {
        return AskPattern.ask(broker, message, timeout, system.scheduler());
    }

    /** The controller's current metadata image. */
    CompletionStage<ClusterImage> metadata()
    {
        return AskPattern.ask(controller, ControllerProtocol.GetMetadata::new, askTimeout, system.scheduler());
    }
}
