package dev.millrace.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;

import dev.millrace.broker.controller.ControllerErrorCode;
import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.AlterIsr;
import dev.millrace.broker.controller.ControllerProtocol.IsrAltered;
import dev.millrace.broker.controller.PartitionImage;
import dev.millrace.broker.partition.IsrChanger.IsrChangeRefusedException;
import dev.millrace.broker.partition.PartitionProtocol.LeaderAndIsr;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ControllerIsrChangerTest
{
    private static final TopicPartition TP = new TopicPartition("orders", 2);
    private static ActorTestKit testKit;

    @BeforeAll
    static void start()
    {
        testKit = ActorTestKit.create("ControllerIsrChangerTest");
    }

    @AfterAll
    static void stop()
    {
        testKit.shutdownTestKit();
    }

    @Test
    void shouldAskTheControllerAndTurnItsImageIntoTheNewDecision()
    {
        final TestProbe<ControllerProtocol> controller = testKit.createTestProbe();
        final ControllerIsrChanger changer =
            new ControllerIsrChanger(controller.ref(), Duration.ofSeconds(5), testKit.system().scheduler());
        final var stage = changer.alterIsr(TP, 1, 4, 9, List.of(1, 2)).toCompletableFuture();

        final AlterIsr asked = controller.expectMessageClass(AlterIsr.class);
        assertEquals(new AlterIsr("orders", 2, 1, 4, 9, List.of(1, 2), asked.replyTo()), asked);
        asked.replyTo().tell(new IsrAltered("orders", new PartitionImage(2, List.of(1, 2, 3), 1, 4, List.of(1, 2), 10)));
        assertEquals(new LeaderAndIsr(TP, 1, 4, 10, List.of(1, 2), List.of(1, 2, 3)), stage.join());
    }

    @Test
    void shouldFailWithIsrChangeRefusedWhenTheControllerRefuses()
    {
        final TestProbe<ControllerProtocol> controller = testKit.createTestProbe();
        final ControllerIsrChanger changer =
            new ControllerIsrChanger(controller.ref(), Duration.ofSeconds(5), testKit.system().scheduler());
        final var stage = changer.alterIsr(TP, 1, 4, 9, List.of(1)).toCompletableFuture();
        controller.expectMessageClass(AlterIsr.class).replyTo()
            .tell(new ControllerProtocol.Rejected(ControllerErrorCode.INVALID_UPDATE_VERSION, "partition epoch is 10"));
        final CompletionException failed = assertThrows(CompletionException.class, stage::join);
        assertInstanceOf(IsrChangeRefusedException.class, failed.getCause());
        assertTrue(failed.getCause().getMessage().contains("INVALID_UPDATE_VERSION"));
    }
}
