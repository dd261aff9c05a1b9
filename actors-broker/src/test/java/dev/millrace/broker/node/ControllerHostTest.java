package dev.millrace.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.ListTopics;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ControllerHostTest
{
    private static final Duration CHECK = Duration.ofMillis(20);
    private static final String STARTED = "started";
    private static final String STOPPED = "stopped";
    private static ActorTestKit testKit;

    @BeforeAll
    static void start()
    {
        testKit = ActorTestKit.create("ControllerHostTest");
    }

    @AfterAll
    static void stop()
    {
        testKit.shutdownTestKit();
    }

    /** A stand-in controller: says when it starts and stops, and hands every command to the probe. */
    private static Behavior<ControllerProtocol> controller(final ActorRef<Object> events)
    {
        return Behaviors.setup(context ->
        {
            events.tell(STARTED);
            return Behaviors.receive(ControllerProtocol.class)
                .onAnyMessage(command ->
                {
                    events.tell(command);
                    return Behaviors.same();
                })
                .onSignal(PostStop.class, signal ->
                {
                    events.tell(STOPPED);
                    return Behaviors.same();
                })
                .build();
        });
    }

    @Test
    void runsTheControllerOnlyWhileTheVoterLeadsAndHandsItTheCommandsThatWaited()
    {
        final TestProbe<Object> events = testKit.createTestProbe();
        final TestProbe<ControllerProtocol.TopicListing> replies = testKit.createTestProbe();
        final AtomicBoolean leads = new AtomicBoolean(false);
        final ActorRef<Object> host = testKit.spawn(
            ControllerHost.create(controller(events.ref()), leads::get, CHECK, Duration.ofSeconds(20), 100));

        final ListTopics early = new ListTopics(replies.ref());
        host.tell(early);
        events.expectNoMessage(Duration.ofMillis(200));

        leads.set(true);
        events.expectMessage(STARTED);
        assertEquals(early, events.receiveMessage(), "the command that waited goes to the new controller");
        final ListTopics later = new ListTopics(replies.ref());
        host.tell(later);
        assertEquals(later, events.receiveMessage());

        leads.set(false);
        events.expectMessage(STOPPED);
        host.tell(new ListTopics(replies.ref()));
        events.expectNoMessage(Duration.ofMillis(200));

        leads.set(true);
        events.expectMessage(STARTED);
        assertInstanceOf(ListTopics.class, events.receiveMessage(), "a new controller starts on leading again");
    }

    @Test
    void dropsCommandsThatWaitedLongerThanTheirTimeout()
    {
        final TestProbe<Object> events = testKit.createTestProbe();
        final TestProbe<ControllerProtocol.TopicListing> replies = testKit.createTestProbe();
        final AtomicBoolean leads = new AtomicBoolean(false);
        final ActorRef<Object> host = testKit.spawn(
            ControllerHost.create(controller(events.ref()), leads::get, CHECK, Duration.ofMillis(100), 100));

        host.tell(new ListTopics(replies.ref()));
        events.expectNoMessage(Duration.ofMillis(400));
        leads.set(true);
        events.expectMessage(STARTED);
        events.expectNoMessage(Duration.ofMillis(200));
    }
}
