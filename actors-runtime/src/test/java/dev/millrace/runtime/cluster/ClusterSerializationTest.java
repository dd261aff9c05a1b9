package dev.millrace.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.cluster.JobProtocol.InstanceDescription;
import dev.millrace.runtime.cluster.JobProtocol.InstanceStatus;
import dev.millrace.runtime.cluster.JobProtocol.JobDescription;
import dev.millrace.runtime.cluster.JobProtocol.NodeFigures;
import dev.millrace.runtime.execution.JobState;
import dev.millrace.serialization.kryo.KryoPekkoSerializer;
import dev.millrace.serialization.kryo.KryoRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The cluster job messages and the job master's events round-trip through Kryo, with ids in 6100-6199. */
class ClusterSerializationTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void shouldRoundTripMessagesAndEventsThroughKryo()
    {
        final TestProbe<JobProtocol.SubmitReply> replies = TEST_KIT.createTestProbe();
        final TestProbe<JobGateway.Reply> gatewayReplies = TEST_KIT.createTestProbe();
        final NodeFigures figures = new NodeFigures(List.of(3L, 0L), 10, 5000, 0, 4, 6, 1234);
        final Map<String, NodeFigures> byNode = new HashMap<>(Map.of("pekko://millrace@127.0.0.1:7355", figures));
        final List<Object> samples = List.of(
            new JobMasterEntity.Submit("com.example.Job", List.of("a", "b"), replies.ref()),
            new JobMasterEntity.InstanceFailed(1, 0, "boom", "node", NodeFigures.NONE),
            new JobMasterEntity.JobSubmitted("Job", "com.example.Job", List.of("a"), 12L, List.of("src", "sink"),
                List.of(2, 2)),
            new JobMasterEntity.InstanceStatusChanged(1, 1, InstanceStatus.FINISHED),
            new JobMasterEntity.JobEnded(JobState.FINISHED, "", 99L, byNode),
            new TaskEntity.Deploy("Job", "com.example.Job", List.of()),
            TaskEntity.CancelTask.INSTANCE,
            new JobDescription("job-1", "Job", "com.example.Job", List.of("a"), JobState.RUNNING, "", 1L, 0L,
                List.of(new InstanceDescription(0, "src", 0, "node", InstanceStatus.DEPLOYED)), byNode),
            new JobProtocol.Refused("no"),
            new JobGateway.SubmitJob("com.example.Job", List.of("1"), gatewayReplies.ref()),
            new JobGateway.ListJobs(gatewayReplies.ref()),
            new JobGateway.DescribeJob("job-1", gatewayReplies.ref()),
            new JobGateway.CancelJob("job-1", gatewayReplies.ref()),
            new JobGateway.Submitted(new JobProtocol.Accepted("job-1")),
            new JobGateway.Listed(List.of(new JobDescription("job-1", "Job", "com.example.Job", List.of(),
                JobState.FINISHED, "", 1L, 2L, List.of(), Map.of()))),
            new JobGateway.Described(new JobProtocol.UnknownJob("job-2")),
            new JobGateway.Cancelled(new JobProtocol.CancelDone("job-1", JobState.CANCELED)),
            new JobGateway.Failed("TimeoutException: no answer"));
        final Serialization serialization = SerializationExtension.get(TEST_KIT.system());
        for (final Object sample : samples)
        {
            final Serializer serializer = serialization.findSerializerFor(sample);
            assertEquals(KryoPekkoSerializer.IDENTIFIER, serializer.identifier(), sample.getClass().getName());
            final byte[] bytes = serializer.toBinary(sample);
            assertEquals(sample, serialization.deserialize(bytes, serializer.identifier(),
                Serializers.manifestFor(serializer, sample)).get());
        }
    }

    @Test
    void shouldRegisterTheClusterClassesInTheirIdBlock()
    {
        final Map<Class<?>, Integer> registrations = KryoRegistry.fromConfig(TEST_KIT.system().settings().config(),
            getClass().getClassLoader()).registrations();
        int cluster = 0;
        for (final Map.Entry<Class<?>, Integer> entry : registrations.entrySet())
        {
            if (entry.getKey().getName().startsWith("dev.millrace.runtime.cluster."))
            {
                cluster++;
                assertTrue(entry.getValue() >= 6100 && entry.getValue() <= 6199, entry.toString());
            }
        }
        assertEquals(40, cluster);
    }
}
