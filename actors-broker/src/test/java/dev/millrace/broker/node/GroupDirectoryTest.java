package dev.millrace.broker.node;

import java.time.Duration;
import java.util.List;

import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.group.GroupCoordinator.GroupDescription;
import dev.millrace.broker.group.GroupError;
import dev.millrace.broker.group.GroupState;
import dev.millrace.broker.node.GroupDirectory.Command;
import dev.millrace.broker.node.GroupDirectory.Event;
import dev.millrace.broker.node.GroupDirectory.GroupListed;
import dev.millrace.broker.node.GroupDirectory.GroupListing;
import dev.millrace.broker.node.GroupDirectory.GroupUnlisted;
import dev.millrace.broker.node.GroupDirectory.State;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link GroupDirectory} stepped through {@link EventSourcedBehaviorTestKit}: every command, event and state goes
 * through Kryo serialization, and the state is rebuilt from its events on restart; after recovery the sweep unlists
 * a group its coordinator no longer knows.
 */
class GroupDirectoryTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create(EventSourcedBehaviorTestKit.config());

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void shouldListRegisteredGroupsSortedOnceEachAndUnlistThoseTheSweepFindsGone()
    {
        final TestProbe<GroupCoordinator.Command> coordinators = TEST_KIT.createTestProbe();
        final EventSourcedBehaviorTestKit<Command, Event, State> kit = EventSourcedBehaviorTestKit.create(
            TEST_KIT.system(), GroupDirectory.create(groupId -> coordinators.ref(), Duration.ofHours(1), Duration.ofSeconds(5)));

        assertEquals(List.of(new GroupListed("payments")), kit.runCommand(new GroupDirectory.Register("payments")).events());
        assertEquals(List.of(new GroupListed("billing")), kit.runCommand(new GroupDirectory.Register("billing")).events());
        assertTrue(kit.runCommand(new GroupDirectory.Register("payments")).hasNoEvents(), "a known id persists nothing");
        assertTrue(kit.runCommand(new GroupDirectory.Unregister("nobody")).hasNoEvents(), "an unknown id persists nothing");
        assertEquals(new GroupListing(List.of("billing", "payments")),
            kit.<GroupListing>runCommand(GroupDirectory.ListGroups::new).reply());

        assertEquals(List.of(new GroupUnlisted("billing")), kit.runCommand(new GroupDirectory.Unregister("billing")).events());
        kit.restart();
        assertEquals(new State(List.of("payments")), kit.getState());
        assertEquals(List.of("payments"), kit.<GroupListing>runCommand(GroupDirectory.ListGroups::new).reply().groupIds());

        // Recovered: the sweep describes every listed group; "payments" has expired meanwhile.
        final GroupCoordinator.DescribeGroup describe =
            coordinators.expectMessageClass(GroupCoordinator.DescribeGroup.class, Duration.ofSeconds(5));
        describe.replyTo().tell(new GroupDescription(GroupError.GROUP_ID_NOT_FOUND, "gone", "", GroupState.DEAD, "", "",
            -1, "", List.of(), List.of(), 0));
        coordinators.awaitAssert(Duration.ofSeconds(5), () ->
        {
            assertEquals(new State(List.of()), kit.getState());
            return null;
        });
    }
}
