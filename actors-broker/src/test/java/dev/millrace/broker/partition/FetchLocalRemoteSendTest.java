package dev.millrace.broker.partition;

import java.time.Duration;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.partition.PartitionProtocol.Command;
import dev.millrace.broker.partition.PartitionProtocol.FetchLocal;
import dev.millrace.broker.partition.PartitionProtocol.FetchLocalReply;
import dev.millrace.broker.partition.PartitionProtocol.GetStatus;
import dev.millrace.broker.partition.PartitionProtocol.Status;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link FetchLocal} is local only: sent over Artery to another actor system, the sender's transport refuses to
 * serialize it (no binding, Java serialization off), logs that and drops it; the link stays up for other messages.
 */
@Timeout(60)
class FetchLocalRemoteSendTest
{
    private static final TopicPartition TP = new TopicPartition("orders", 1);
    private static final Duration QUIET = Duration.ofMillis(300);

    private ActorTestKit server;
    private ActorTestKit client;

    private static Config remote()
    {
        return ConfigFactory.parseString(
            "pekko.loglevel = WARNING\n" +
            "pekko.actor.provider = remote\n" +
            "pekko.remote.artery.canonical.hostname = 127.0.0.1\n" +
            "pekko.remote.artery.canonical.port = 0\n").withFallback(ConfigFactory.load());
    }

    @BeforeEach
    void startSystems()
    {
        server = ActorTestKit.create("FetchLocalServer", remote());
        client = ActorTestKit.create("FetchLocalClient", remote());
    }

    @AfterEach
    void stopSystems()
    {
        client.shutdownTestKit();
        server.shutdownTestKit();
    }

    @Test
    void shouldRefuseToSendFetchLocalToAnotherNodeWithASerializationError()
    {
        final TestProbe<Command> replica = server.createTestProbe();
        final ActorRef<Command> remoteReplica = ActorRefResolver.get(client.system())
            .resolveActorRef(ActorRefResolver.get(server.system()).toSerializationFormat(replica.ref()));
        final TestProbe<Status> statusProbe = client.createTestProbe();
        final TestProbe<FetchLocalReply> fetchProbe = client.createTestProbe();

        // The link works for serializable commands.
        remoteReplica.tell(new GetStatus(statusProbe.ref()));
        replica.expectMessageClass(GetStatus.class);

        LoggingTestKit.error("Failed to serialize message [" + FetchLocal.class.getName() + "]").expect(
            client.system(),
            () ->
            {
                remoteReplica.tell(new FetchLocal(TP, 0, 1024, 0, 0, fetchProbe.ref()));
                return null;
            });
        replica.expectNoMessage(QUIET);

        // And still works after the refusal.
        remoteReplica.tell(new GetStatus(statusProbe.ref()));
        replica.expectMessageClass(GetStatus.class);
    }
}
