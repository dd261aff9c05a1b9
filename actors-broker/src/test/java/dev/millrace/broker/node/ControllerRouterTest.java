package dev.millrace.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.ListTopics;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A one-member cluster whose member carries the role of quorum voter 0 and runs a {@link ControllerHost}: the router
 * holds commands while no leader is known, or no member runs the leader's voter, and delivers them, in order, once
 * voter 0 leads.
 */
@Timeout(60)
class ControllerRouterTest
{
    private static final Duration CHECK = Duration.ofMillis(20);
    private static ActorTestKit testKit;

    @BeforeAll
    static void start()
    {
        testKit = ActorTestKit.create("ControllerRouterTest", ConfigFactory.parseMap(Map.of(
                "pekko.actor.provider", "cluster",
                "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                "pekko.remote.artery.canonical.port", 0,
                "pekko.cluster.roles", List.of(ControllerPlacement.voterRole(0))))
            .withFallback(ConfigFactory.load()));
        final Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        final TestProbe<Object> probe = testKit.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(20), () ->
        {
            assertEquals(MemberStatus.up(), cluster.selfMember().status());
            return null;
        });
    }

    @AfterAll
    static void stop()
    {
        testKit.shutdownTestKit();
    }

    private static Behavior<ControllerProtocol> controller(final ActorRef<Object> received)
    {
        return Behaviors.receive(ControllerProtocol.class)
            .onAnyMessage(command ->
            {
                received.tell(command);
                return Behaviors.same();
            })
            .build();
    }

    @Test
    void holdsCommandsUntilTheLeaderIsKnownThenSendsThemToItsNodesController()
    {
        final TestProbe<Object> received = testKit.createTestProbe();
        final TestProbe<ControllerProtocol.TopicListing> replies = testKit.createTestProbe();
        final AtomicBoolean leads = new AtomicBoolean(false);
        final AtomicInteger leader = new AtomicInteger(-1);
        testKit.system().systemActorOf(
            ControllerHost.create(controller(received.ref()), leads::get, CHECK, Duration.ofSeconds(30), 100),
            ControllerHost.NAME, Props.empty());
        final ActorRef<ControllerProtocol> router = testKit.system().<Object>systemActorOf(
            ControllerRouter.create(leader::get, CHECK, Duration.ofSeconds(30), 100), ControllerRouter.NAME,
            Props.empty()).narrow();

        final ListTopics first = new ListTopics(replies.ref());
        final ListTopics second = new ListTopics(replies.ref());
        router.tell(first);
        received.expectNoMessage(Duration.ofMillis(300));
        // A leader no member runs (its node is not up yet): still held.
        leader.set(1);
        router.tell(second);
        received.expectNoMessage(Duration.ofMillis(300));

        leader.set(0);
        leads.set(true);
        assertEquals(first, received.receiveMessage(Duration.ofSeconds(10)));
        assertEquals(second, received.receiveMessage(Duration.ofSeconds(10)));
        final ListTopics third = new ListTopics(replies.ref());
        router.tell(third);
        assertEquals(third, received.receiveMessage(Duration.ofSeconds(10)));
    }
}
