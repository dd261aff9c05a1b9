package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.node.Broker;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The listener's futures must continue on the actor system's dispatcher: Pekko's ask future would run each dependent
 * stage on the JDK's default executor, a new thread per stage on machines with fewer than three cores.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BrokerContextTest
{
    private static ActorTestKit testKit;
    private static TestProbe<Broker.Command> broker;
    private static BrokerContext context;

    @BeforeAll
    static void start()
    {
        testKit = ActorTestKit.create("broker-context");
        broker = testKit.createTestProbe(Broker.Command.class);
        final ActorRef<ControllerProtocol> controller = testKit.spawn(Behaviors.<ControllerProtocol>ignore());
        context = new BrokerContext(testKit.system(), broker.ref(), controller, 0, "127.0.0.1", () -> 9092,
            Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop()
    {
        testKit.shutdownTestKit();
    }

    @Test
    void shouldRunStagesDependentOnAnAskOnTheActorSystemsDispatcher() throws Exception
    {
        // The stage is attached before the reply exists, so it runs where the reply completes the future.
        final CompletableFuture<String> thread = context.<ControllerProtocol.TopicListing>ask(Broker.ListTopics::new)
            .thenApply(listing ->
            {
                assertEquals(List.of("orders"), listing.names());
                return Thread.currentThread().getName();
            })
            .toCompletableFuture();
        broker.expectMessageClass(Broker.ListTopics.class).replyTo()
            .tell(new ControllerProtocol.TopicListing(List.of("orders")));

        final String name = thread.get(10, TimeUnit.SECONDS);
        assertTrue(name.contains("broker-context-pekko.actor.default-dispatcher"), name);
    }

    @Test
    void shouldCompleteAfterTheDelayOnTheActorSystemsDispatcher() throws Exception
    {
        final long start = System.nanoTime();
        final String thread = context.after(Duration.ofMillis(50))
            .thenApply(elapsed -> Thread.currentThread().getName())
            .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "completed before the delay");
        assertTrue(thread.contains("broker-context-pekko.actor.default-dispatcher"), thread);
    }
}
