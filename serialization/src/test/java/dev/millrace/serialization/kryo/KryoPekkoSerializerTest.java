package dev.millrace.serialization.kryo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.serialization.kryo.TestProtocol.Collections;
import dev.millrace.serialization.kryo.TestProtocol.Compression;
import dev.millrace.serialization.kryo.TestProtocol.CreateTopic;
import dev.millrace.serialization.kryo.TestProtocol.DeleteTopic;
import dev.millrace.serialization.kryo.TestProtocol.GetTopics;
import dev.millrace.serialization.kryo.TestProtocol.Holder;
import dev.millrace.serialization.kryo.TestProtocol.NotRegistered;
import dev.millrace.serialization.kryo.TestProtocol.Partition;
import dev.millrace.serialization.kryo.TestProtocol.PlainSerializable;
import dev.millrace.serialization.kryo.TestProtocol.Primitives;
import dev.millrace.serialization.kryo.TestProtocol.TopicCommand;
import dev.millrace.serialization.kryo.TestProtocol.TopicCreated;
import dev.millrace.serialization.kryo.TestProtocol.TopicSnapshot;
import dev.millrace.serialization.kryo.testing.SerializationRoundTrip;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.DisabledJavaSerializer;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class KryoPekkoSerializerTest {
    private static final String PACKAGE = "dev.millrace.serialization.kryo";

    private static ActorTestKit testKit;
    private static SerializationRoundTrip roundTrip;
    private static Serialization serialization;

    @BeforeAll
    static void startSystem() {
        testKit = ActorTestKit.create("KryoPekkoSerializerTest", TestProtocol.config());
        roundTrip = SerializationRoundTrip.of(testKit.system());
        serialization = SerializationExtension.get(testKit.system());
    }

    @AfterAll
    static void stopSystem() {
        testKit.shutdownTestKit();
    }

    private static Primitives primitives() {
        return new Primitives(-7, Long.MAX_VALUE, 2.5, -0.25f, true, 'λ', (short) -3, (byte) 0x7f, "héllo, wörld");
    }

    private static TopicSnapshot snapshot() {
        final Map<String, Long> offsets = new LinkedHashMap<>();
        offsets.put("p0", 42L);
        offsets.put("p1", 0L);
        return new TopicSnapshot(
            UUID.fromString("6f1c1c8e-1d2b-4a6e-9b1e-0c3f2a9d8e71"),
            "orders",
            new Partition("orders", 0),
            List.of(new Partition("orders", 0), new Partition("orders", 1)),
            offsets,
            Optional.of("team-a"),
            Instant.ofEpochSecond(1_790_000_000L, 123_456_789),
            Duration.ofHours(168),
            Compression.ZSTD,
            null);
    }

    private static List<Object> everySample(final TestProbe<TopicCreated> probe) {
        final ArrayList<Partition> mutable = new ArrayList<>();
        mutable.add(new Partition("a", 1));
        return List.of(
            primitives(),
            snapshot(),
            new Collections(List.of(), List.of("one"), List.of("a", "b", "c"), Map.of("k", 1, "j", 2),
                Set.of("x"), mutable),
            new CreateTopic("orders", 3, probe.ref()),
            new DeleteTopic("orders"),
            GetTopics.INSTANCE,
            new TopicCreated("orders", UUID.randomUUID()),
            new Holder(new Partition("held", 9)));
    }

    @Test
    void shouldRoundTripRecordWithPrimitivesAndStrings() {
        roundTrip.roundTrip(primitives());
    }

    @Test
    void shouldRoundTripNestedRecordsListsMapsUuidOptionalTimeEnumAndNullField() {
        final TopicSnapshot copy = roundTrip.roundTrip(snapshot());
        assertEquals(Optional.of("team-a"), copy.owner());
        assertEquals(null, copy.description());
    }

    @Test
    void shouldRoundTripEmptyOptionalAndMutableMapOrder() {
        final TopicSnapshot empty = new TopicSnapshot(UUID.randomUUID(), "t", null, List.of(), Map.of(),
            Optional.empty(), Instant.EPOCH, Duration.ZERO, Compression.NONE, "");
        roundTrip.roundTrip(empty);
        final TopicSnapshot copy = roundTrip.roundTrip(snapshot());
        assertEquals(List.of("p0", "p1"), List.copyOf(copy.offsets().keySet()));
    }

    @Test
    void shouldRoundTripImmutableAndMutableJdkCollections() {
        final Collections copy = roundTrip.roundTrip((Collections) everySample(testKit.createTestProbe()).get(2));
        assertThrows(UnsupportedOperationException.class, () -> copy.three().add("d"));
    }

    @Test
    void shouldRoundTripEnumsAsTheSameConstant() {
        final Object copy = roundTrip.roundTrip(GetTopics.INSTANCE);
        assertTrue(copy == GetTopics.INSTANCE);
    }

    @Test
    void shouldRoundTripEveryMessageOfASealedProtocol() {
        final TestProbe<TopicCreated> probe = testKit.createTestProbe();
        final List<TopicCommand> commands = List.of(
            new CreateTopic("orders", 3, probe.ref()), new DeleteTopic("orders"), GetTopics.INSTANCE);
        for (final TopicCommand command : commands) {
            final TopicCommand copy = roundTrip.roundTrip(command);
            assertEquals(command.getClass(), copy.getClass());
        }
    }

    @Test
    void shouldResolveTypedActorRefSoThatTheCopyStillDeliversToTheActor() {
        final TestProbe<TopicCreated> probe = testKit.createTestProbe();
        final CreateTopic copy = roundTrip.roundTrip(new CreateTopic("orders", 3, probe.ref()));
        final TopicCreated reply = new TopicCreated("orders", UUID.randomUUID());
        copy.replyTo().tell(reply);
        probe.expectMessage(reply);
    }

    @Test
    void shouldCoverEveryRegisteredMessageWithASampleAndRoundTripThemAll() {
        roundTrip.assertAllRoundTrip(PACKAGE, everySample(testKit.createTestProbe()));
    }

    @Test
    void shouldFailTheCoverageCheckWhenARegisteredMessageHasNoSample() {
        final List<Object> withoutDelete = new ArrayList<>(everySample(testKit.createTestProbe()));
        withoutDelete.removeIf(DeleteTopic.class::isInstance);
        final AssertionFailedError error = assertThrows(AssertionFailedError.class,
            () -> roundTrip.assertEveryRegisteredMessageHasASample(PACKAGE, withoutDelete));
        assertTrue(error.getMessage().contains(DeleteTopic.class.getName()), error.getMessage());
    }

    @Test
    void shouldChooseKryoThroughSerializationExtensionAndDeserializeByIdentifier() throws Exception {
        final TopicSnapshot message = snapshot();
        final Serializer serializer = serialization.findSerializerFor(message);
        assertInstanceOf(KryoPekkoSerializer.class, serializer);
        assertEquals(KryoPekkoSerializer.IDENTIFIER, serializer.identifier());
        assertEquals(false, serializer.includeManifest());
        final byte[] bytes = serialization.serialize(message).get();
        assertEquals(KryoPekkoSerializer.FORMAT_VERSION, bytes[0]);
        assertEquals(message, serialization.deserialize(bytes, KryoPekkoSerializer.IDENTIFIER, "").get());
        assertEquals(message, serialization.serializerFor(TopicSnapshot.class).fromBinary(bytes));
    }

    @Test
    void shouldWriteTheDocumentedEnvelopeVersionThenClassId() {
        final byte[] bytes = serialization.serialize(new DeleteTopic("t")).get();
        // version 1; class id 9011 + 2 as a Kryo varint (2 bytes); the record's one component, a Kryo string
        // (a one-char string is written as its length + 1 with the UTF-8 flag 0x80, then the char)
        assertArrayEquals(new byte[] {1, (byte) 0xb5, 0x46, (byte) 0x82, 't'}, bytes, java.util.Arrays.toString(bytes));
    }

    @Test
    void shouldRejectAnUnregisteredMessageNamingTheClassAndHowToRegisterIt() {
        final UnregisteredClassException error = assertThrows(UnregisteredClassException.class,
            () -> serialization.findSerializerFor(new NotRegistered("x")).toBinary(new NotRegistered("x")));
        assertEquals(NotRegistered.class.getName(), error.unregisteredClassName());
        assertTrue(error.getMessage().contains(
            "millrace.serialization.kryo.registrations { \"" + NotRegistered.class.getName() + "\""),
            error.getMessage());
    }

    @Test
    void shouldRejectAnUnregisteredValueInsideARegisteredMessageWithItsFieldPath() {
        final Holder holder = new Holder(new NotRegistered("nested"));
        final Throwable error = serialization.serialize(holder).failed().get();
        assertInstanceOf(UnregisteredClassException.class, error);
        assertTrue(error.getMessage().contains(NotRegistered.class.getName()), error.getMessage());
        assertTrue(error.getMessage().contains("value"), "names the field: " + error.getMessage());
    }

    @Test
    void shouldRefuseJavaSerializationForASerializableMessageNotBoundToKryo() {
        final PlainSerializable message = new PlainSerializable("x");
        assertInstanceOf(DisabledJavaSerializer.class, serialization.findSerializerFor(message));
        final Throwable error = serialization.serialize(message).failed().get();
        assertInstanceOf(DisabledJavaSerializer.JavaSerializationException.class, error);
    }

    @Test
    void shouldRejectAPayloadOfAnUnknownFormatVersion() {
        final byte[] bytes = serialization.serialize(new DeleteTopic("t")).get();
        bytes[0] = 2;
        final Throwable error = serialization.deserialize(bytes, KryoPekkoSerializer.IDENTIFIER, "").failed().get();
        assertTrue(error.getMessage().contains("unsupported format version 2"), error.getMessage());
    }

    @Test
    void shouldRejectAPayloadWithAClassIdThisNodeDoesNotKnow() {
        // version 1, class id 8999 (unregistered) + 2 = 9001 as a varint
        final byte[] bytes = {1, (byte) 0xa9, 0x46};
        final Throwable error = serialization.deserialize(bytes, KryoPekkoSerializer.IDENTIFIER, "").failed().get();
        assertTrue(error.getMessage().contains("8999"), error.getMessage());
    }

    @Test
    void shouldRejectTrailingBytes() {
        final byte[] valid = serialization.serialize(new DeleteTopic("t")).get();
        final byte[] padded = java.util.Arrays.copyOf(valid, valid.length + 1);
        final Throwable error = serialization.deserialize(padded, KryoPekkoSerializer.IDENTIFIER, "").failed().get();
        assertTrue(error.getMessage().contains("trailing"), error.getMessage());
    }

    @Test
    void shouldSerializeCorrectlyFromSeveralThreadsAtOnce() throws Exception {
        final TestProbe<TopicCreated> probe = testKit.createTestProbe();
        final List<Object> samples = everySample(probe);
        final ExecutorService executor = Executors.newFixedThreadPool(4);
        try {
            final List<Callable<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                tasks.add(() -> {
                    for (int i = 0; i < 250; i++) {
                        roundTrip.assertRoundTrips(samples);
                    }
                    return 250;
                });
            }
            for (final Future<Integer> result : executor.invokeAll(tasks)) {
                assertEquals(250, result.get());
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
