package dev.millrace.broker.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.millrace.broker.controller.ClusterImage;
import dev.millrace.broker.controller.Controller;
import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.BrokerRegistrationAccepted;
import dev.millrace.broker.controller.ControllerProtocol.GetMetadata;
import dev.millrace.broker.controller.ControllerProtocol.RegisterBroker;
import dev.millrace.broker.controller.ControllerProtocol.RegisterBrokerReply;
import dev.millrace.broker.controller.ControllerSettings;
import dev.millrace.broker.controller.PartitionImage;
import dev.millrace.broker.controller.PublishedMetadata;
import dev.millrace.broker.controller.TopicConfigs;
import dev.millrace.broker.controller.TopicImage;
import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.group.GroupSettings;
import dev.millrace.broker.kafka.KafkaListener;
import dev.millrace.broker.kafka.KafkaListenerSettings;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.sharding.OneShardPerEntity;
import dev.millrace.sharding.persistence.quorum.QuorumClient;
import dev.millrace.sharding.persistence.quorum.QuorumConfig;
import dev.millrace.sharding.persistence.quorum.QuorumExtension;
import dev.millrace.sharding.persistence.quorum.QuorumVoter;
import dev.millrace.transport.EmbeddedMediaDriver;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.StartEntity;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * One Millrace node: a typed {@code ActorSystem} named {@value #SYSTEM_NAME}, a member of a Pekko Cluster, with
 * <ul>
 *   <li>the embedded journal and snapshot store under the data directory ({@code journal/}, {@code snapshots/});</li>
 *   <li>the {@link Controller} as a cluster singleton (persistence id {@value #CONTROLLER_PERSISTENCE_ID});</li>
 *   <li>partition replicas as sharded entities ({@link PartitionReplicaEntity}, logs under {@code logs/}), placed by
 *       {@link ReplicaPlacement};</li>
 *   <li>consumer group coordinators as sharded entities ({@link GroupCoordinator}, entity type
 *       {@value GroupCoordinator#ENTITY_TYPE}, entity id = group id, {@link GroupSettings} from
 *       {@code millrace.broker.group}, the system clock) and the {@link GroupDirectory} (one sharded entity) that
 *       lists the groups. A coordinator passivates after twice {@code offsets-retention-check-interval} without
 *       messages; the directory describes every listed group once per interval (and at start), which keeps them
 *       running so that their offset expiry timers fire, and restarts them after a node restart;</li>
 *   <li>the {@link Broker} facade;</li>
 *   <li>any {@link Extension}s (group coordinators, later transaction coordinators...), started last.</li>
 * </ul>
 *
 * <p>A node locks its data directory ({@code .lock}, like Kafka's log directories) until its actor system has
 * terminated: a second node on the same directory, in this JVM or another, fails at once.
 *
 * <p>{@link #start} blocks until the node is ready: the cluster is up (the node joins itself, a one-member cluster,
 * or the {@code seed-nodes}; a node whose broker id is already a member refuses to start), the controller has
 * recovered, this broker is registered ({@link RegisterBroker}) and its replicas are claimed; then every replica of this broker is started (its log
 * opened and recovered) in the background. It fails, after stopping whatever it started, on a bad
 * setting (naming the key) or when start-up exceeds {@code start-timeout}.
 *
 * <p>Configuration: {@code millrace.broker.node} ({@link BrokerNodeSettings}) decides the data directory, broker
 * id, host and port; the node derives from it, over whatever the given configuration says, {@code pekko.actor
 * .provider = cluster}, Artery's transport, host and port, the seed nodes and the split-brain resolver (keep-majority)
 * when there are seed nodes, the cluster role {@code broker-<id>}, and the persistence plugins ({@code journal}:
 * embedded, with its directories, or quorum, with the voter's directory and {@code QuorumExtension}).
 *
 * <p>Aeron: when the node uses the quorum journal or {@code transport = aeron-udp}, it launches one
 * {@link EmbeddedMediaDriver} ({@link NodeMediaDriver}, settings {@code millrace.transport.aeron}) before the actor
 * system and closes it after the system has terminated; the quorum voter and client and Artery all run on it.
 *
 * <p>Threading: {@link #start} and {@link #close} block the calling thread; the accessors are thread-safe.
 */
public final class BrokerNode implements AutoCloseable
{
    /** The actor system's name: every Millrace node's is the same, so that they can form one cluster. */
    public static final String SYSTEM_NAME = "millrace";

    /** The path of the node's {@link Broker} actor. */
    public static final String BROKER_PATH = "/system/broker";

    /** The controller's journal id, one per cluster. */
    public static final String CONTROLLER_PERSISTENCE_ID = "millrace-controller";

    /** The prefix of the cluster role every node carries for its broker id: {@code broker-<id>}. */
    public static final String BROKER_ROLE_PREFIX = "broker-";

    /** Started with the actor system when the node uses the quorum journal, so that its voter (if any) runs. */
    static final String QUORUM_EXTENSION = "dev.millrace.sharding.persistence.quorum.QuorumExtension$Id";

    /** The sharding key of the group coordinators: entity id = group id. */
    public static final EntityTypeKey<GroupCoordinator.Command> GROUP_COORDINATOR_TYPE_KEY =
        EntityTypeKey.create(GroupCoordinator.Command.class, GroupCoordinator.ENTITY_TYPE);

    /**
     * Something that runs on every node beside the partitions, started once the node is ready: the extension point
     * for other sharded entities (group coordinators are built in). For example:
     * <pre>{@code
     * node -> node.sharding().init(Entity.of(MY_TYPE_KEY, context -> MyEntity.create(context.getEntityId())))
     * }</pre>
     * Its event-sourced entities use the node's journal. An extension that throws fails the start.
     */
    @FunctionalInterface
    public interface Extension
    {
        void start(BrokerNode node);
    }

    private final BrokerNodeSettings settings;
    private final ActorSystem<Void> system;
    private final ActorRef<ControllerProtocol> controller;
    private final ClusterSharding sharding;
    private final ActorRef<Broker.Command> broker;
    private final DataDirLock lock;

    private BrokerNode(
        final BrokerNodeSettings settings, final ActorSystem<Void> system, final ActorRef<ControllerProtocol> controller,
        final ClusterSharding sharding, final ActorRef<Broker.Command> broker, final DataDirLock lock)
    {
        this.lock = lock;
        this.settings = settings;
        this.system = system;
        this.controller = controller;
        this.sharding = sharding;
        this.broker = broker;
    }

    /** Starts a node with no extensions; see {@link #start(Config, List)}. */
    public static BrokerNode start(final Config config)
    {
        return start(config, List.of());
    }

    /**
     * Starts a node and waits until it is ready.
     *
     * @param config     the whole configuration, usually {@code ConfigFactory.load()} or an override of it
     * @param extensions started in order once the node is ready
     * @throws com.typesafe.config.ConfigException naming the key of a bad setting
     * @throws IllegalStateException when the node did not become ready within {@code start-timeout}
     */
    public static BrokerNode start(final Config config, final List<Extension> extensions)
    {
        final BrokerNodeSettings settings = BrokerNodeSettings.fromConfig(config);
        final ControllerSettings controllerSettings = ControllerSettings.fromConfig(config);
        final GroupSettings groupSettings = GroupSettings.fromConfig(config);
        // Fails naming the key before anything starts.
        ControllerPlacement.followsQuorumLeader(config, settings);
        try
        {
            Files.createDirectories(settings.logsDir());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(
                "cannot create " + settings.logsDir() + " (" + BrokerNodeSettings.PREFIX + "." + BrokerNodeSettings.DATA_DIR +
                ")", ex);
        }
        final DataDirLock lock = DataDirLock.acquire(settings.dataDir());
        Config effective = nodeConfig(settings, config).withFallback(config).resolve();
        if (settings.quorumJournal())
        {
            try
            {
                // Fails naming the key (e.g. millrace.persistence.quorum.voters) before anything starts.
                QuorumConfig.fromRoot(effective);
            }
            catch (final RuntimeException ex)
            {
                lock.close();
                throw ex;
            }
        }
        // The node's one Aeron media driver (quorum journal, Artery over Aeron): before the actor system, closed after it.
        final Optional<EmbeddedMediaDriver> driver;
        try
        {
            driver = NodeMediaDriver.launchIfNeeded(settings, config);
        }
        catch (final RuntimeException ex)
        {
            lock.close();
            throw ex;
        }
        final ActorSystem<Void> system;
        try
        {
            if (driver.isPresent())
            {
                effective = NodeMediaDriver.nodeConfig(settings, driver.get()).withFallback(effective);
            }
            system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, effective);
        }
        catch (final RuntimeException | Error ex)
        {
            driver.ifPresent(EmbeddedMediaDriver::close);
            lock.close();
            throw ex;
        }
        final CompletionStage<?> stopped = system.getWhenTerminated().whenComplete((done, failure) ->
        {
            driver.ifPresent(EmbeddedMediaDriver::close);
            lock.close();
        });
        driver.ifPresent(running -> NodeMediaDriver.closeBeforeJvmExit(stopped, settings.startTimeout()));
        try
        {
            final BrokerNode node = startIn(system, settings, controllerSettings, groupSettings, effective, lock);
            node.stopped = stopped;
            for (final Extension extension : extensions)
            {
                extension.start(node);
            }
            node.startKafkaListener(config);
            system.log().info("millrace node started: broker {} at {}, data in {}",
                settings.brokerId(), node.address(), settings.dataDir());
            return node;
        }
        catch (final RuntimeException | Error ex)
        {
            system.terminate();
            awaitTermination(system, settings.startTimeout());
            driver.ifPresent(EmbeddedMediaDriver::close);
            lock.close();
            throw ex;
        }
    }

    private static BrokerNode startIn(
        final ActorSystem<Void> system, final BrokerNodeSettings settings, final ControllerSettings controllerSettings,
        final GroupSettings groupSettings, final Config config, final DataDirLock lock)
    {
        final Cluster cluster = Cluster.get(system);
        final CompletableFuture<Void> up = new CompletableFuture<>();
        final ActorRef<SelfUp> upListener = system.systemActorOf(
            Behaviors.receive(SelfUp.class).onAnyMessage(selfUp -> completeAndStop(up)).build(), "self-up", Props.empty());
        cluster.subscriptions().tell(Subscribe.create(upListener, SelfUp.class));
        if (settings.seedNodes().isEmpty())
        {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        // Otherwise Pekko joins the seed nodes of pekko.cluster.seed-nodes by itself.
        await(up, settings.startTimeout(), "the cluster to be up (" + (settings.seedNodes().isEmpty() ? "joining itself" :
            "seed nodes " + settings.seedNodes()) + ")");
        refuseDuplicateBrokerId(cluster, settings.brokerId());

        final Replication replication = startReplication(system, settings);
        final Behavior<ControllerProtocol> controllerBehavior = Behaviors.supervise(
            Controller.create(PersistenceId.ofUniqueId(CONTROLLER_PERSISTENCE_ID), controllerSettings,
                replication.publisher()))
            .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
        final ActorRef<ControllerProtocol> controller = ControllerPlacement.followsQuorumLeader(config, settings)
            ? startQuorumLeaderController(system, controllerBehavior, settings)
            : ClusterSingleton.get(system).init(SingletonActor.of(controllerBehavior, "controller"));

        final ClusterSharding sharding = ClusterSharding.get(system);
        final ActorRef<ShardingEnvelope<PartitionProtocol.Command>> region = sharding.init(Entity.of(
                PartitionReplicaEntity.ENTITY_TYPE_KEY,
                context -> PartitionReplicaEntity.create(context.getEntityId(), context.getShard(), controller, config, settings))
            .withMessageExtractor(new OneShardPerEntity<PartitionProtocol.Command>())
            .withAllocationStrategy(ReplicaPlacement.allocationStrategy(system, settings.askTimeout()))
            .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
        replication.publisher().start(sharding);

        final RegisterBrokerReply registered = askController(system, controller,
            replyTo -> new RegisterBroker(
                settings.brokerId(), settings.host(), settings.advertisedPort(), settings.rack(), replyTo),
            settings, "the controller to register broker " + settings.brokerId());
        if (!(registered instanceof BrokerRegistrationAccepted))
        {
            throw new IllegalStateException("the controller refused to register broker " + settings.brokerId() + ": " +
                registered);
        }
        final ClusterImage image = askController(system, controller, GetMetadata::new, settings, "the controller's metadata");

        final ReplicaPlacement placement = replication.placement();
        await(placement.claimAll(image), settings.startTimeout(), "the shard locations of this broker's replicas");
        startReplicas(region, image, settings.brokerId());

        final Clock clock = Clock.systemUTC();
        final Duration sweepInterval = Duration.ofMillis(groupSettings.offsetsRetentionCheckIntervalMs());
        final ClusterShardingSettings groupSharding = ClusterShardingSettings.create(system);
        sharding.init(Entity.of(
                GROUP_COORDINATOR_TYPE_KEY, context -> GroupCoordinator.create(context.getEntityId(), groupSettings, clock))
            .withSettings(groupSharding.withPassivationStrategy(groupSharding.passivationStrategySettings()
                .withIdleEntityPassivation(sweepInterval.multipliedBy(2)))));
        // The directory runs from the start and never passivates: its sweep wakes the groups (see GroupDirectory).
        sharding.init(Entity.of(GroupDirectory.ENTITY_TYPE_KEY, context -> GroupDirectory.create(
                groupId -> sharding.entityRefFor(GROUP_COORDINATOR_TYPE_KEY, groupId), sweepInterval, settings.askTimeout()))
            .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()))
            .tell(StartEntity.create(GroupDirectory.Command.class, GroupDirectory.ENTITY_ID));

        final PublishedMetadata initialMetadata = initialMetadata(system, image);
        system.systemActorOf(PeerReplicaLocator.create(region, replication.topic(), settings.brokerId()),
                PeerReplicaLocator.NAME, Props.empty())
            .tell(initialMetadata);
        final ActorRef<Broker.Command> broker = system.systemActorOf(
            Broker.create(controller, sharding, placement, settings, initialMetadata, replication.topic()),
            "broker", Props.empty());
        addControlledShutdown(system, controller, settings, config);
        return new BrokerNode(settings, system, controller, sharding, broker, lock);
    }

    /**
     * Asks the controller at start-up, again every {@code ask-timeout} until {@code start-timeout}: a command can be
     * lost when the controller stops while holding it (a Raft leadership that changes hands as the voters start, a
     * controller restarted after a failed write, a singleton handing over), and both start-up commands are idempotent.
     */
    private static <R> R askController(
        final ActorSystem<Void> system, final ActorRef<ControllerProtocol> controller,
        final java.util.function.Function<ActorRef<R>, ControllerProtocol> request, final BrokerNodeSettings settings,
        final String what)
    {
        final long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        while (true)
        {
            final long remainingNs = deadline - System.nanoTime();
            final Duration attempt = Duration.ofNanos(Math.max(1, Math.min(settings.askTimeout().toNanos(), remainingNs)));
            try
            {
                return await(AskPattern.ask(controller, request::apply, attempt, system.scheduler()),
                    attempt.plusSeconds(1), what);
            }
            catch (final IllegalStateException ex)
            {
                if (deadline - System.nanoTime() <= 0)
                {
                    throw new IllegalStateException("gave up waiting " + settings.startTimeout() + " for " + what, ex);
                }
                system.log().info("no answer yet from the controller for {} ({}); asking again", what, ex.getMessage());
            }
        }
    }

    /** How often the controller's host and router read the quorum's leadership. */
    private static final Duration LEADERSHIP_CHECK_INTERVAL = Duration.ofMillis(50);
    /** How many controller commands may wait for a controller on one node. */
    private static final int PENDING_CONTROLLER_COMMANDS = 10_000;

    /**
     * {@code controller-placement = quorum-leader}: a {@link ControllerHost} beside the node's voter (if any) runs the
     * controller while that voter leads the quorum's Raft, and the node's {@link ControllerRouter}, returned, sends
     * every controller command to the leader's node.
     */
    private static ActorRef<ControllerProtocol> startQuorumLeaderController(
        final ActorSystem<Void> system, final Behavior<ControllerProtocol> controllerBehavior,
        final BrokerNodeSettings settings)
    {
        final QuorumExtension quorum = QuorumExtension.ID.get(Adapter.toClassic(system));
        final QuorumVoter voter = quorum.voter();
        if (voter != null)
        {
            system.systemActorOf(
                ControllerHost.create(controllerBehavior, voter::leads, LEADERSHIP_CHECK_INTERVAL, settings.askTimeout(),
                    PENDING_CONTROLLER_COMMANDS),
                ControllerHost.NAME, Props.empty());
        }
        final QuorumClient client = quorum.client();
        final ActorRef<Object> router = system.systemActorOf(
            ControllerRouter.create(() -> voter != null && voter.leads() ? voter.memberId() : client.leaderMemberId(),
                LEADERSHIP_CHECK_INTERVAL, settings.askTimeout(), PENDING_CONTROLLER_COMMANDS),
            ControllerRouter.NAME, Props.empty());
        return router.narrow();
    }

    // ---- Replication: the controller's publisher, the metadata topic, controlled shutdown. ----

    /** What the node wires between the controller and the replicas. */
    private record Replication(
        ReplicaPlacement placement, ActorRef<Topic.Command<PublishedMetadata>> topic, ReplicaStatePublisher publisher)
    {
    }

    /**
     * The pub/sub topic of the controller's {@link PublishedMetadata} (one topic actor per node; Pekko's receptionist
     * connects them) and the publisher the controller singleton uses when it runs on this node.
     */
    private static Replication startReplication(final ActorSystem<Void> system, final BrokerNodeSettings settings)
    {
        final ReplicaPlacement placement = new ReplicaPlacement(system, settings.brokerId());
        final ActorRef<Topic.Command<PublishedMetadata>> topic = system.systemActorOf(
            Topic.create(PublishedMetadata.class, ReplicaStatePublisher.METADATA_TOPIC), "metadata-topic", Props.empty());
        return new Replication(placement, topic, new ReplicaStatePublisher(system, placement, topic));
    }

    /** The metadata the broker starts with: the controller's image, the registered brokers with an up member. */
    private static PublishedMetadata initialMetadata(final ActorSystem<Void> system, final ClusterImage image)
    {
        final List<Integer> live = new ArrayList<>();
        final Cluster cluster = Cluster.get(system);
        for (final int brokerId : image.sortedBrokerIds())
        {
            for (final Member member : cluster.state().getMembers())
            {
                if (member.hasRole(brokerRole(brokerId)) && member.status() == MemberStatus.up() && !live.contains(brokerId))
                {
                    live.add(brokerId);
                }
            }
        }
        return new PublishedMetadata(image, live, -1, -1);
    }

    /**
     * Before the node leaves the cluster (coordinated shutdown, phase {@code before-service-unbind}), the controller
     * moves this broker's leaderships to other in-sync replicas and takes it out of every ISR
     * ({@link ControllerProtocol.ControlledShutdown}); the node waits at most {@code controlled-shutdown-timeout}.
     * Added only once the node is registered, so that a node refused at start never speaks for another's broker id.
     */
    private static void addControlledShutdown(
        final ActorSystem<Void> system, final ActorRef<ControllerProtocol> controller, final BrokerNodeSettings settings,
        final Config config)
    {
        final Duration timeout = BrokerNodeSettings.controlledShutdownTimeout(config);
        final int brokerId = settings.brokerId();
        CoordinatedShutdown.get(system).addTask(
            CoordinatedShutdown.PhaseBeforeServiceUnbind(), "controlled-shutdown-broker-" + brokerId, () ->
                AskPattern.<ControllerProtocol, ControllerProtocol.ControlledShutdownReply>ask(
                        controller, replyTo -> new ControllerProtocol.ControlledShutdown(brokerId, replyTo), timeout,
                        system.scheduler())
                    .handle((reply, failure) ->
                    {
                        if (reply instanceof ControllerProtocol.ControlledShutdownDone done)
                        {
                            if (done.stillLed().isEmpty())
                            {
                                system.log().info("controlled shutdown: broker {} leads no partition", brokerId);
                            }
                            else
                            {
                                system.log().warn("controlled shutdown: broker {} still leads {} (no other in-sync " +
                                    "replica is live); they go offline when it stops", brokerId, done.stillLed());
                            }
                        }
                        else
                        {
                            system.log().warn("controlled shutdown of broker {} not confirmed ({}); leaving anyway",
                                brokerId, failure != null ? failure.toString() : reply);
                        }
                        return Done.getInstance();
                    }));
    }

    // ---- End of replication. ----

    /**
     * Starts every replica of this broker now rather than on its first request, as Kafka opens every log at start:
     * logs are recovered, retention runs and a damaged log shows up at once. Asynchronous: start does not wait.
     */
    private static void startReplicas(
        final ActorRef<ShardingEnvelope<PartitionProtocol.Command>> region, final ClusterImage image, final int brokerId)
    {
        for (final TopicImage topic : image.topics().values())
        {
            for (final PartitionImage partition : topic.partitions())
            {
                if (partition.replicas().contains(brokerId))
                {
                    region.tell(StartEntity.create(PartitionProtocol.Command.class, PartitionReplicaEntity.entityId(
                        new TopicPartition(topic.name(), partition.partition()), brokerId)));
                }
            }
        }
    }

    /**
     * A broker id names one member: a second node with the same id would claim the same replicas and shards. The
     * check runs once this node is up, when its view of the members has converged with the others'.
     */
    private static void refuseDuplicateBrokerId(final Cluster cluster, final int brokerId)
    {
        final String role = brokerRole(brokerId);
        for (final Member member : cluster.state().getMembers())
        {
            if (!member.equals(cluster.selfMember()) && member.hasRole(role) &&
                !member.address().equals(cluster.selfMember().address()) &&
                (member.status() == MemberStatus.up() || member.status() == MemberStatus.joining() ||
                    member.status() == MemberStatus.weaklyUp()))
            {
                throw new IllegalStateException("broker id " + brokerId + " is already a member of the cluster at " +
                    member.address() + ": give each node its own " + BrokerNodeSettings.PREFIX + "." +
                    BrokerNodeSettings.BROKER_ID);
            }
        }
    }

    private static Behavior<SelfUp> completeAndStop(final CompletableFuture<Void> up)
    {
        up.complete(null);
        return Behaviors.stopped();
    }

    /** What the node decides over the given configuration, for a configuration with no roles or extensions. */
    private static final String ARTERY_FRAME_SIZE = "pekko.remote.artery.advanced.maximum-frame-size";
    private static final String ARTERY_BUFFER_POOL = "pekko.remote.artery.advanced.buffer-pool-size";
    /**
     * A follower's fetch reply is an actor message of up to {@code replication.fetch-max-bytes} (1 MiB; the first
     * batch whole): Artery silently drops a message over its frame size (256 KiB by default), so a follower more than
     * a frame behind its leader never caught up, acks=all waited for it into timeouts, and producers spun in retries
     * (bench kafka --nodes 3: 12-22 k records/s with acks=all; 136-186 k with 2 MiB frames). Frames are at least this:
     * the largest batch a topic may allow ({@link TopicConfigs#MAX_MESSAGE_BYTES_LIMIT}) plus 64 KiB for the envelope.
     */
    static final long REPLICATION_FRAME_BYTES = TopicConfigs.MAX_MESSAGE_BYTES_LIMIT + 64L * 1024;
    /** Artery keeps up to this many frame buffers (direct memory: 32 x 2 MiB), fewer than its default 128. */
    static final int REPLICATION_BUFFER_POOL = 32;

    private static final String QUORUM_MEMBER_ID = QuorumConfig.PATH + ".member-id";

    static Config nodeConfig(final BrokerNodeSettings settings)
    {
        return nodeConfig(settings, ConfigFactory.empty());
    }

    /**
     * What the node decides over the given configuration: provider, Artery, seed nodes and downing, the broker's
     * cluster role (added to {@code pekko.cluster.roles}), the persistence plugins and their directories.
     */
    static Config nodeConfig(final BrokerNodeSettings settings, final Config given)
    {
        final List<String> roles = new ArrayList<>(stringList(given, "pekko.cluster.roles"));
        roles.add(brokerRole(settings.brokerId()));
        if (settings.quorumJournal() && ControllerPlacement.followsQuorumLeader(given, settings) &&
            given.hasPath(QUORUM_MEMBER_ID) && given.getInt(QUORUM_MEMBER_ID) >= 0)
        {
            // Every node finds the Raft leader's node (where the controller runs) by this role.
            roles.add(ControllerPlacement.voterRole(given.getInt(QUORUM_MEMBER_ID)));
        }
        Config config = ConfigFactory.empty()
            .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster"))
            .withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef(settings.transport()))
            .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(settings.host()))
            .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(settings.port()))
            .withValue("pekko.cluster.seed-nodes",
                ConfigValueFactory.fromIterable(settings.seedNodeAddresses(SYSTEM_NAME)))
            .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles))
            .withValue("pekko.coordinated-shutdown.phases.before-service-unbind.timeout",
                ConfigValueFactory.fromAnyRef(controlledShutdownPhaseTimeout(given)))
            .withValue(ARTERY_FRAME_SIZE, ConfigValueFactory.fromAnyRef(Math.max(
                given.hasPath(ARTERY_FRAME_SIZE) ? given.getBytes(ARTERY_FRAME_SIZE) : 0, REPLICATION_FRAME_BYTES)))
            .withValue(ARTERY_BUFFER_POOL, ConfigValueFactory.fromAnyRef(Math.min(
                given.hasPath(ARTERY_BUFFER_POOL) ? given.getInt(ARTERY_BUFFER_POOL) : REPLICATION_BUFFER_POOL,
                REPLICATION_BUFFER_POOL)));
        if (!settings.seedNodes().isEmpty())
        {
            // Several nodes: a crashed or cut-off member must be downed so that the singleton and shards move; the
            // side with the majority of members survives a partition.
            config = config
                .withValue("pekko.cluster.downing-provider-class", ConfigValueFactory.fromAnyRef(
                    "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"))
                .withValue("pekko.cluster.split-brain-resolver.active-strategy",
                    ConfigValueFactory.fromAnyRef("keep-majority"));
            config = FailoverProfile.settings(given).withFallback(config);
        }
        if (settings.quorumJournal())
        {
            final List<String> extensions = new ArrayList<>(stringList(given, "pekko.extensions"));
            if (!extensions.contains(QUORUM_EXTENSION))
            {
                extensions.add(QUORUM_EXTENSION);
            }
            return config
                .withValue("pekko.persistence.journal.plugin",
                    ConfigValueFactory.fromAnyRef("millrace.persistence.quorum.journal"))
                .withValue("pekko.persistence.snapshot-store.plugin",
                    ConfigValueFactory.fromAnyRef("millrace.persistence.quorum.snapshot"))
                .withValue("millrace.persistence.quorum.dir", ConfigValueFactory.fromAnyRef(settings.quorumDir().toString()))
                .withValue("pekko.extensions", ConfigValueFactory.fromIterable(extensions));
        }
        return config
            .withValue("pekko.persistence.journal.plugin",
                ConfigValueFactory.fromAnyRef("millrace.persistence.embedded.journal"))
            .withValue("pekko.persistence.snapshot-store.plugin",
                ConfigValueFactory.fromAnyRef("millrace.persistence.embedded.snapshot"))
            .withValue("millrace.persistence.embedded.journal.dir",
                ConfigValueFactory.fromAnyRef(settings.journalDir().toString()))
            .withValue("millrace.persistence.embedded.snapshot.dir",
                ConfigValueFactory.fromAnyRef(settings.snapshotDir().toString()));
    }

    /** The controlled-shutdown phase outlasts the wait for the controller by a little. */
    private static String controlledShutdownPhaseTimeout(final Config given)
    {
        final Duration wait = given.hasPath(BrokerNodeSettings.PREFIX + "." + BrokerNodeSettings.CONTROLLED_SHUTDOWN_TIMEOUT) ?
            BrokerNodeSettings.controlledShutdownTimeout(given) : Duration.ofSeconds(10);
        return wait.plusSeconds(2).toMillis() + "ms";
    }

    /** The cluster role that names a broker: one member per broker id. */
    public static String brokerRole(final int brokerId)
    {
        return BROKER_ROLE_PREFIX + brokerId;
    }

    private static List<String> stringList(final Config config, final String path)
    {
        return config.hasPath(path) ? config.getStringList(path) : List.of();
    }

    // ---- The Kafka wire-protocol listener (dev.millrace.broker.kafka), started last when enabled. ----

    private volatile KafkaListener kafkaListener;

    /** Completes when the actor system has terminated and the node's media driver (if any) is closed. */
    private volatile CompletionStage<?> stopped;

    private void startKafkaListener(final Config config)
    {
        final KafkaListenerSettings kafkaSettings = KafkaListenerSettings.fromConfig(config);
        if (kafkaSettings.enabled())
        {
            // Unbound by the actor system's shutdown, like every Pekko TCP binding.
            kafkaListener = KafkaListener.start(
                system, kafkaSettings, broker, controller, settings.brokerId(), settings.startTimeout());
        }
    }

    /** The port the Kafka listener is bound to, or -1 when {@code millrace.broker.kafka.enabled} is off. */
    public int kafkaPort()
    {
        final KafkaListener listener = kafkaListener;
        return listener == null ? -1 : listener.localAddress().getPort();
    }

    // ---- End of the Kafka listener. ----

    public BrokerNodeSettings settings()
    {
        return settings;
    }

    public ActorSystem<Void> system()
    {
        return system;
    }

    /** The controller singleton's proxy. */
    public ActorRef<ControllerProtocol> controller()
    {
        return controller;
    }

    public ClusterSharding sharding()
    {
        return sharding;
    }

    /** The node's {@link Broker} facade. */
    public ActorRef<Broker.Command> broker()
    {
        return broker;
    }

    /** A reference to the coordinator of a consumer group (sharded; the facade's group commands go there). */
    public EntityRef<GroupCoordinator.Command> group(final String groupId)
    {
        return sharding.entityRefFor(GROUP_COORDINATOR_TYPE_KEY, groupId);
    }

    /** The node's cluster address. */
    public Address address()
    {
        return Cluster.get(system).selfMember().address();
    }

    /** A direct reference to one replica entity of a partition (the replica is its broker id). */
    public EntityRef<PartitionProtocol.Command> partition(final TopicPartition topicPartition, final int replica)
    {
        return sharding.entityRefFor(
            PartitionReplicaEntity.ENTITY_TYPE_KEY, PartitionReplicaEntity.entityId(topicPartition, replica));
    }

    /**
     * Starts stopping the node (Coordinated Shutdown); completes when the actor system has terminated and the data
     * directory is unlocked.
     */
    public CompletionStage<?> terminate()
    {
        system.terminate();
        return stopped.whenComplete((done, failure) -> lock.close());
    }

    /** Stops the node and waits up to {@code start-timeout} for it (and for its media driver, if any, to close). */
    @Override
    public void close()
    {
        system.terminate();
        await(stopped, settings.startTimeout(), "the actor system to terminate and the media driver to close");
        lock.close();
    }

    private static void awaitTermination(final ActorSystem<?> system, final Duration timeout)
    {
        await(system.getWhenTerminated(), timeout, "the actor system to terminate");
    }

    private static <T> T await(final CompletionStage<T> stage, final Duration timeout, final String what)
    {
        try
        {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("gave up waiting " + timeout + " for " + what, ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("failed waiting for " + what + ": " + ex.getCause().getMessage(), ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + what, ex);
        }
    }
}
