package dev.millrace.broker.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;

import dev.millrace.broker.controller.ClusterImage;
import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.PublishedMetadata;
import dev.millrace.broker.node.Broker;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;

/**
 * What the APIs talk to: the node's {@link Broker} facade (which also holds the published metadata image), the
 * controller (for validate-only checks), this broker's id and the address the listener advertises.
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
        return onDispatcher(AskPattern.ask(broker, message, timeout, system.scheduler()));
    }

    /** Asks the controller directly: the checks of a {@code validateOnly} request, which the facade does not offer. */
    <T> CompletionStage<T> askController(final Function<ActorRef<T>, ControllerProtocol> message)
    {
        return onDispatcher(AskPattern.ask(controller, message, askTimeout, system.scheduler()));
    }

    /**
     * Alters a topic's config overrides, or with {@code validateOnly} only checks the change: the facade alters, the
     * controller alone can check without changing.
     */
    CompletionStage<ControllerProtocol.AlterTopicConfigsReply> alterTopicConfigs(
        final String topic, final Map<String, String> set, final List<String> delete, final boolean validateOnly)
    {
        if (validateOnly)
        {
            return askController(replyTo -> new ControllerProtocol.AlterTopicConfigs(topic, set, delete, true, replyTo));
        }
        return ask(replyTo -> new Broker.AlterConfigs(topic, set, delete, replyTo));
    }

    /**
     * The metadata image as this node knows it: the broker facade's cache, kept current by the controller's
     * publications (not a round trip to the controller singleton per request).
     */
    CompletionStage<ClusterImage> metadata()
    {
        return clusterMetadata().thenApply(PublishedMetadata::image);
    }

    /** The cached image with the live brokers and the controller's broker id. */
    CompletionStage<PublishedMetadata> clusterMetadata()
    {
        return ask(Broker.GetClusterMetadata::new);
    }

    /** As {@link #clusterMetadata()}, refreshed from the controller first when the cache lacks one of {@code topics}. */
    CompletionStage<PublishedMetadata> clusterMetadata(final Set<String> topics)
    {
        return ask(replyTo -> new Broker.GetClusterMetadata(topics, replyTo));
    }

    /** Completes after {@code delay}, on the actor system's scheduler and dispatcher (no thread of its own). */
    CompletionStage<Void> after(final Duration delay)
    {
        final CompletableFuture<Void> elapsed = new CompletableFuture<>();
        system.scheduler().scheduleOnce(delay, () -> elapsed.complete(null), system.executionContext());
        return elapsed;
    }

    /**
     * The outcome of an ask as a plain future completed on the actor system's dispatcher. Pekko's ask returns Scala's
     * future adapter, which runs every dependent stage ({@code thenApply}, ...) asynchronously on the JDK's default
     * executor; on a machine with fewer than three cores that executor starts a new thread per stage (measured: 22,000
     * thread starts in 55 s of {@code bench kafka}). A plain future runs them on the thread that completes it.
     */
    private <T> CompletionStage<T> onDispatcher(final CompletionStage<T> asked)
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        asked.whenCompleteAsync((value, failure) ->
        {
            if (failure != null)
            {
                result.completeExceptionally(failure);
            }
            else
            {
                result.complete(value);
            }
        }, system.executionContext());
        return result;
    }
}
