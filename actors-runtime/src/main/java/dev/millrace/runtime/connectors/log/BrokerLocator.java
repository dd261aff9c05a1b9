package dev.millrace.runtime.connectors.log;

import dev.millrace.broker.node.Broker;
import dev.millrace.broker.node.BrokerNode;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;

/** Finds the {@link Broker} facade a connector talks to. */
final class BrokerLocator
{
    private BrokerLocator()
    {
    }

    /**
     * @param system   the job's actor system
     * @param explicit the facade given to the builder, or null
     * @return the explicit facade, else the one of the node whose actor system runs the job
     *         ({@link BrokerNode#BROKER_PATH})
     */
    static ActorRef<Broker.Command> resolve(final ActorSystem<?> system, final ActorRef<Broker.Command> explicit)
    {
        if (explicit != null)
        {
            return explicit;
        }
        return ActorRefResolver.get(system).resolveActorRef(system.address() + BrokerNode.BROKER_PATH);
    }
}
