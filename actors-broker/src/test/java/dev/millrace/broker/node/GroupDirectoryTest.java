package dev.millrace.broker.node;

import java.util.List;

import dev.millrace.broker.node.GroupDirectory.Command;
import dev.millrace.broker.node.GroupDirectory.Event;
import dev.millrace.broker.node.GroupDirectory.GroupListed;
import dev.millrace.broker.node.GroupDirectory.GroupListing;
import dev.millrace.broker.node.GroupDirectory.GroupUnlisted;
import dev.millrace.broker.node.GroupDirectory.State;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link GroupDirectory} stepped through {@link EventSourcedBehaviorTestKit}: every command, event and state goes
 * through Kryo serialization, and the state is rebuilt from its events on restart.
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
    void shouldListRegisteredGroupsSortedOnceEachAndForgetUnregisteredOnesAcrossRestart()
    {
        final EventSourcedBehaviorTestKit<Command, Event, State> kit =
            EventSourcedBehaviorTestKit.create(TEST_KIT.system(), GroupDirectory.create());

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
    }
}
