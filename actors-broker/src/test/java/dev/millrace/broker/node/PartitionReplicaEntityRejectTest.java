package dev.millrace.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.FetchLocal;
import dev.millrace.broker.partition.PartitionProtocol.FetchLocalReply;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * While a replica entity cannot serve (loading its topic, stash full, unknown partition), every request that has
 * a reply gets a {@link Rejected}: a caller's ask never has to time out.
 */
class PartitionReplicaEntityRejectTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();

    @AfterAll
    static void shutDown()
    {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void shouldRejectLocalFetchesToo()
    {
        final TopicPartition tp = new TopicPartition("t", 0);
        final TestProbe<FetchLocalReply> probe = TEST_KIT.createTestProbe();
        PartitionReplicaEntity.reject(
            new FetchLocal(tp, 0, 1024, 1, 0, probe.ref()), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "no such partition");
        final Rejected rejected = probe.expectMessageClass(Rejected.class, Duration.ofSeconds(5));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, rejected.error());
        assertEquals(tp, rejected.topicPartition());
    }
}
