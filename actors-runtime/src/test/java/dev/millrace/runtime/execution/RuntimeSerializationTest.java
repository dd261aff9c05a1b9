package dev.millrace.runtime.execution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.millrace.serialization.kryo.KryoPekkoSerializer;
import dev.millrace.serialization.kryo.KryoRegistry;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The processor's control messages that may cross nodes round-trip through Kryo with ids in the module's
 * block, and the settings are validated naming the key.
 */
class RuntimeSerializationTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void shouldRoundTripControlMessagesThroughKryo()
    {
        final TestProbe<OperatorInstance.Command> probe = TEST_KIT.createTestProbe();
        final TestProbe<JobMaster.StatusReport> replies = TEST_KIT.createTestProbe();
        final List<ActorRef<OperatorInstance.Command>> refs = List.of(probe.ref());
        final List<Object> samples = List.of(
            new OperatorInstance.Start(List.of(refs, refs)),
            new OperatorInstance.Credit(3, 1, 4, 1),
            OperatorInstance.Cancel.INSTANCE,
            new JobMaster.InstanceFinished(2, 1),
            new JobMaster.InstanceFailed(2, 0, new FailureCause("java.lang.IllegalStateException", "boom",
                "java.lang.IllegalStateException: boom\n\tat Somewhere.run(Somewhere.java:1)\n")),
            new JobMaster.InstanceFailed(2, 1, new FailureCause("x.NoMessage", null, "x.NoMessage\n")),
            new JobMaster.GetStatus(replies.ref()),
            JobMaster.CancelJob.INSTANCE,
            new JobMaster.StatusReport("job", JobState.FAILED, "boom", 3, 4, new java.util.ArrayList<>(List.of(12L, 0L))));
        final Serialization serialization = SerializationExtension.get(TEST_KIT.system());
        for (final Object sample : samples)
        {
            final Serializer serializer = serialization.findSerializerFor(sample);
            assertEquals(KryoPekkoSerializer.IDENTIFIER, serializer.identifier(), sample.getClass().getName());
            final byte[] bytes = serializer.toBinary(sample);
            final Object copy = serialization.deserialize(bytes, serializer.identifier(),
                Serializers.manifestFor(serializer, sample)).get();
            assertEquals(sample, copy);
        }
    }

    @Test
    void shouldRoundTripEncodedBuffersAndKeepTheOriginalExceptionOnlyInProcess()
    {
        final Serialization serialization = SerializationExtension.get(TEST_KIT.system());
        final OperatorInstance.DeliverBytes deliver = new OperatorInstance.DeliverBytes(3, new byte[] {1, 2, 3});
        final byte[] bytes = serialization.serialize(deliver).get();
        final OperatorInstance.DeliverBytes copy = (OperatorInstance.DeliverBytes) serialization.deserialize(bytes,
            KryoPekkoSerializer.IDENTIFIER, "").get();
        assertEquals(3, copy.channel());
        assertArrayEquals(new byte[] {1, 2, 3}, copy.bytes());

        final IllegalArgumentException original = new IllegalArgumentException("bad input");
        final FailureCause cause = FailureCause.of(original);
        assertSame(original, cause.toThrowable(), "in process the user's own exception");
        final JobMaster.InstanceFailed sent = new JobMaster.InstanceFailed(1, 0, cause);
        final JobMaster.InstanceFailed received = (JobMaster.InstanceFailed) serialization.deserialize(
            serialization.serialize(sent).get(), KryoPekkoSerializer.IDENTIFIER, "").get();
        assertEquals(sent, received);
        assertTrue(received.cause().stackTrace().contains(getClass().getName()), received.cause().stackTrace());
        final RemoteInstanceException remote = assertInstanceOf(RemoteInstanceException.class,
            received.cause().toThrowable());
        assertEquals("java.lang.IllegalArgumentException: bad input", remote.toString());
        assertEquals("bad input", remote.getMessage());
        assertEquals(IllegalArgumentException.class.getName(), remote.remoteClassName());
    }

    @Test
    void shouldCutAHugeStackTraceSoTheReportFitsOneRemoteMessage()
    {
        final IllegalStateException deep = new IllegalStateException("deep");
        final StackTraceElement[] frames = new StackTraceElement[5_000];
        for (int i = 0; i < frames.length; i++)
        {
            frames[i] = new StackTraceElement("some.pkg.Recursive", "call" + i, "Recursive.java", i);
        }
        deep.setStackTrace(frames);
        final FailureCause cause = FailureCause.of(deep);
        assertTrue(cause.stackTrace().length() < FailureCause.MAX_STACK_TRACE_CHARS + 100, "cut");
        assertTrue(cause.stackTrace().startsWith("java.lang.IllegalStateException: deep"), "the head is kept");
        assertTrue(cause.stackTrace().contains("more characters cut"), "says it was cut");
    }

    @Test
    void shouldRegisterTheRuntimeMessagesInItsIdBlock()
    {
        final Map<Class<?>, Integer> registrations = KryoRegistry.fromConfig(TEST_KIT.system().settings().config(),
            getClass().getClassLoader()).registrations();
        int runtime = 0;
        for (final Map.Entry<Class<?>, Integer> entry : registrations.entrySet())
        {
            // The cluster package's registrations (6100-6199) are counted by its own ClusterSerializationTest.
            if (entry.getKey().getName().startsWith("dev.millrace.runtime.")
                && !entry.getKey().getName().startsWith("dev.millrace.runtime.cluster."))
            {
                runtime++;
                assertTrue(entry.getValue() >= 6000 && entry.getValue() <= 6999, entry.toString());
            }
        }
        assertEquals(12, runtime);
    }

    @Test
    void shouldRefuseABadSettingNamingItsKey()
    {
        final ConfigException.BadValue e = assertThrows(ConfigException.BadValue.class, () -> RuntimeSettings.fromConfig(
            ConfigFactory.parseString("millrace.runtime.exchange.credits-per-channel = 0")
                .withFallback(ConfigFactory.load())));
        assertTrue(e.getMessage().contains("millrace.runtime.exchange.credits-per-channel"), e.getMessage());
    }
}
