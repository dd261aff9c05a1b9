package dev.millrace.broker.controller;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;

import dev.millrace.broker.controller.ControllerEvent.BrokerRegistered;
import dev.millrace.broker.controller.ControllerEvent.PartitionsAdded;
import dev.millrace.broker.controller.ControllerEvent.PartitionsChanged;
import dev.millrace.broker.controller.ControllerEvent.ProducerIdsAllocated;
import dev.millrace.broker.controller.ControllerEvent.TopicConfigsAltered;
import dev.millrace.broker.controller.ControllerEvent.TopicCreated;
import dev.millrace.broker.controller.ControllerEvent.TopicDeleted;
import dev.millrace.broker.controller.ControllerProtocol.AllocateProducerIds;
import dev.millrace.broker.controller.ControllerProtocol.AlterIsr;
import dev.millrace.broker.controller.ControllerProtocol.ControlledShutdown;
import dev.millrace.broker.controller.ControllerProtocol.ControlledShutdownDone;
import dev.millrace.broker.controller.ControllerProtocol.ElectPreferredLeaders;
import dev.millrace.broker.controller.ControllerProtocol.IsrAltered;
import dev.millrace.broker.controller.ControllerProtocol.PreferredLeadersElected;
import dev.millrace.broker.controller.ControllerProtocol.PublishMetadata;
import dev.millrace.broker.controller.ControllerProtocol.Reconcile;
import dev.millrace.broker.controller.ControllerProtocol.AlterTopicConfigs;
import dev.millrace.broker.controller.ControllerProtocol.BrokerMembershipChanged;
import dev.millrace.broker.controller.ControllerProtocol.BrokerReachabilityChanged;
import dev.millrace.broker.controller.ControllerProtocol.BrokerRegistrationAccepted;
import dev.millrace.broker.controller.ControllerProtocol.CreatePartitions;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopic;
import dev.millrace.broker.controller.ControllerProtocol.DeleteTopic;
import dev.millrace.broker.controller.ControllerProtocol.DescribeTopic;
import dev.millrace.broker.controller.ControllerProtocol.GetMetadata;
import dev.millrace.broker.controller.ControllerProtocol.ListTopics;
import dev.millrace.broker.controller.ControllerProtocol.PartitionsAccepted;
import dev.millrace.broker.controller.ControllerProtocol.ProducerIdBlock;
import dev.millrace.broker.controller.ControllerProtocol.RegisterBroker;
import dev.millrace.broker.controller.ControllerProtocol.Rejected;
import dev.millrace.broker.controller.ControllerProtocol.TopicConfigsAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicDeletionAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicDescription;
import dev.millrace.broker.controller.ControllerProtocol.TopicListing;
import dev.millrace.broker.partition.PartitionProtocol.LeaderAndIsr;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;

/**
 * The cluster controller: the single, event-sourced owner of the metadata {@link ClusterImage} (brokers, topics,
 * configs, replica assignment, leaders, leader epochs, ISR, producer-id allocation). Run as a cluster singleton;
 * its journal is the control-plane journal.
 *
 * <p>Decide, then apply: each {@code onXxx} command handler validates against the current image and either replies
 * {@link Rejected} (persisting nothing) or persists one {@link ControllerEvent} and replies once it is durable;
 * only the event handlers change the image, so replay rebuilds exactly the same image. Every random choice (topic
 * ids, which broker gets the first replica) is made in the command handler and carried in the event.
 *
 * <p><b>Replication.</b> The controller is the only writer of leaders, leader epochs and ISRs. Which brokers are live
 * comes from its own subscription to cluster membership (a broker is live while a member with role
 * {@code broker-<id>} is up; seeded from the cluster state when it recovers). It decides:
 * <ul>
 *   <li>placement: a new partition's replicas go to distinct live brokers, spread evenly, leaders too
 *       ({@link ReplicaAssignor}); rack-aware when every live broker declared a rack;</li>
 *   <li>failover: when a broker is gone, every partition it led gets the first live ISR member (replica order) as
 *       leader, and it leaves every ISR; no live ISR member: no leader (-1), unless the topic enables unclean
 *       election; when a broker comes back, a leaderless partition whose ISR holds it gets it as leader
 *       ({@link PartitionElections});</li>
 *   <li>ISR changes asked by leaders ({@link AlterIsr}), validated and fenced by both epochs;</li>
 *   <li>controlled shutdown ({@link ControlledShutdown}) and preferred-leader election ({@link ElectPreferredLeaders},
 *       also every {@code leader-imbalance-check-interval} when {@code auto-leader-rebalance} is on).</li>
 * </ul>
 * Each decision is one {@link PartitionsChanged} event. Once it is durable the controller publishes through its
 * {@link PartitionStatePublisher}: a {@link LeaderAndIsr} to every live replica of each changed (or created)
 * partition, and the {@link PublishedMetadata} image to every node (also after every other event and every
 * {@code metadata-publish-interval}). After recovery (a start, or a failover of the singleton) it reconciles leaders
 * with the live brokers and re-delivers every partition's state, so replicas converge.
 *
 * <p>A snapshot of the image is saved every {@code millrace.controller.snapshot-every-events} events, so recovery
 * reads at most one snapshot and that many events.
 *
 * <p>Threading: an actor; all state is confined to it.
 */
public final class Controller
    extends EventSourcedBehaviorWithEnforcedReplies<ControllerProtocol, ControllerEvent, ClusterImage>
{
    private static final int MAX_PORT = 65535;

    /** The cluster role prefix of a node's broker id (BrokerNode.BROKER_ROLE_PREFIX). */
    private static final String BROKER_ROLE_PREFIX = "broker-";

    private final ControllerSettings settings;
    private final Supplier<UUID> topicIds;
    private final Logger log;
    /**
     * The up cluster members of each broker id seen in membership events (normally one; two for a moment when a
     * node restarts on another port). An id with an empty set is gone. Derived from membership, not persisted.
     */
    private final Map<Integer, Set<String>> brokerMembers = new HashMap<>();
    /** Members (unique addresses) the failure detector has lost: their brokers are fenced while they are. */
    private final Set<String> unreachableMembers = new HashSet<>();
    /** Brokers that asked for a controlled shutdown: not elected leader nor added to an ISR until they are gone. */
    private final Set<Integer> shuttingDown = new HashSet<>();
    private final PartitionStatePublisher publisher;
    private final ActorContext<ControllerProtocol> context;
    /**
     * In a cluster a broker is live only while one of its members is up; outside one (tests) a registered broker
     * counts as live until a membership change says it is gone.
     */
    private final boolean clusterMode;

    private Controller(
        final PersistenceId persistenceId,
        final ControllerSettings settings,
        final Supplier<UUID> topicIds,
        final PartitionStatePublisher publisher,
        final ActorContext<ControllerProtocol> context,
        final boolean clusterMode)
    {
        super(persistenceId);
        this.settings = settings;
        this.topicIds = topicIds;
        this.publisher = publisher;
        this.context = context;
        this.log = context.getLog();
        this.clusterMode = clusterMode;
    }

    /**
     * @param persistenceId the controller's journal id (one per cluster).
     * @param settings      validated settings, usually {@link ControllerSettings#fromConfig}.
     */
    public static Behavior<ControllerProtocol> create(final PersistenceId persistenceId, final ControllerSettings settings)
    {
        return create(persistenceId, settings, UUID::randomUUID);
    }

    /**
     * @param topicIds supplies the id of each new topic (injected so tests can be deterministic).
     */
    public static Behavior<ControllerProtocol> create(
        final PersistenceId persistenceId, final ControllerSettings settings, final Supplier<UUID> topicIds)
    {
        return create(persistenceId, settings, topicIds, PartitionStatePublisher.NONE);
    }

    /**
     * @param publisher delivers each partition's state to its replicas and the image to every node.
     */
    public static Behavior<ControllerProtocol> create(
        final PersistenceId persistenceId, final ControllerSettings settings, final PartitionStatePublisher publisher)
    {
        return create(persistenceId, settings, UUID::randomUUID, publisher);
    }

    public static Behavior<ControllerProtocol> create(
        final PersistenceId persistenceId, final ControllerSettings settings, final Supplier<UUID> topicIds,
        final PartitionStatePublisher publisher)
    {
        return Behaviors.withTimers(timers -> Behaviors.setup(context ->
        {
            final boolean clusterMode = subscribeToMembership(context);
            startTimers(timers, settings, context);
            return new Controller(persistenceId, settings, topicIds, publisher, context, clusterMode);
        }));
    }

    private static void startTimers(
        final TimerScheduler<ControllerProtocol> timers, final ControllerSettings settings,
        final ActorContext<ControllerProtocol> context)
    {
        timers.startTimerWithFixedDelay(PublishMetadata.INSTANCE, settings.metadataPublishInterval());
        if (settings.autoLeaderRebalance())
        {
            timers.startTimerWithFixedDelay(
                new ElectPreferredLeaders(context.getSystem().ignoreRef()), settings.leaderImbalanceCheckInterval());
        }
    }

    private static boolean isCluster(final ActorContext<?> context)
    {
        final String provider = context.getSystem().settings().config().getString("pekko.actor.provider");
        return "cluster".equals(provider) || provider.contains("ClusterActorRefProvider");
    }

    /** Cluster members carrying a broker role tell the controller which registered brokers are gone. */
    private static boolean subscribeToMembership(final ActorContext<ControllerProtocol> context)
    {
        if (!isCluster(context))
        {
            return false;
        }
        final ActorRef<ClusterEvent.MemberEvent> adapter = context.messageAdapter(
            ClusterEvent.MemberEvent.class, Controller::membershipChange);
        Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(adapter, ClusterEvent.MemberEvent.class));
        final ActorRef<ClusterEvent.ReachabilityEvent> reachability = context.messageAdapter(
            ClusterEvent.ReachabilityEvent.class, Controller::reachabilityChange);
        Cluster.get(context.getSystem()).subscriptions()
            .tell(Subscribe.create(reachability, ClusterEvent.ReachabilityEvent.class));
        return true;
    }

    private static ControllerProtocol reachabilityChange(final ClusterEvent.ReachabilityEvent event)
    {
        final Member member = event.member();
        return new BrokerReachabilityChanged(brokerIdOf(member), member.uniqueAddress().toString(),
            event instanceof ClusterEvent.ReachableMember);
    }

    private static ControllerProtocol membershipChange(final ClusterEvent.MemberEvent event)
    {
        final Member member = event.member();
        final int brokerId = brokerIdOf(member);
        final boolean present = event instanceof ClusterEvent.MemberUp || event instanceof ClusterEvent.MemberWeaklyUp;
        final boolean absent = event instanceof ClusterEvent.MemberLeft || event instanceof ClusterEvent.MemberExited ||
            event instanceof ClusterEvent.MemberDowned || event instanceof ClusterEvent.MemberRemoved;
        // Joining and the shutdown-preparation events change nothing: id -1 is ignored.
        return new BrokerMembershipChanged(present || absent ? brokerId : -1, member.uniqueAddress().toString(), present);
    }

    /** The broker id of a member's {@code broker-<id>} role, or -1. */
    public static int brokerIdOf(final Member member)
    {
        int brokerId = -1;
        for (final String role : member.getRoles())
        {
            if (role.startsWith(BROKER_ROLE_PREFIX))
            {
                try
                {
                    brokerId = Integer.parseInt(role.substring(BROKER_ROLE_PREFIX.length()));
                }
                catch (final NumberFormatException ex)
                {
                    brokerId = -1;
                }
            }
        }
        return brokerId;
    }

    @Override
    public ClusterImage emptyState()
    {
        return ClusterImage.EMPTY;
    }

    @Override
    public RetentionCriteria retentionCriteria()
    {
        return RetentionCriteria.snapshotEvery(settings.snapshotEveryEvents(), settings.keepSnapshots());
    }

    @Override
    public CommandHandlerWithReply<ControllerProtocol, ControllerEvent, ClusterImage> commandHandler()
    {
        return newCommandHandlerWithReplyBuilder()
            .forAnyState()
            .onCommand(RegisterBroker.class, this::onRegisterBroker)
            .onCommand(CreateTopic.class, this::onCreateTopic)
            .onCommand(DeleteTopic.class, this::onDeleteTopic)
            .onCommand(DescribeTopic.class, this::onDescribeTopic)
            .onCommand(ListTopics.class, this::onListTopics)
            .onCommand(AlterTopicConfigs.class, this::onAlterTopicConfigs)
            .onCommand(CreatePartitions.class, this::onCreatePartitions)
            .onCommand(AllocateProducerIds.class, this::onAllocateProducerIds)
            .onCommand(GetMetadata.class, this::onGetMetadata)
            .onCommand(BrokerMembershipChanged.class, this::onBrokerMembershipChanged)
            .onCommand(BrokerReachabilityChanged.class, this::onBrokerReachabilityChanged)
            .onCommand(AlterIsr.class, this::onAlterIsr)
            .onCommand(ControlledShutdown.class, this::onControlledShutdown)
            .onCommand(ElectPreferredLeaders.class, this::onElectPreferredLeaders)
            .onCommand(Reconcile.class, this::onReconcile)
            .onCommand(PublishMetadata.class, this::onPublishMetadata)
            .build();
    }

    @Override
    public SignalHandler<ClusterImage> signalHandler()
    {
        return newSignalHandlerBuilder()
            .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
            .build();
    }

    /**
     * Learns which brokers are up from the cluster state (the subscription's events may come later), then reconciles
     * and re-publishes every partition (the {@link Reconcile} it sends itself runs after any stashed command).
     */
    private void onRecoveryCompleted(final ClusterImage image)
    {
        if (clusterMode)
        {
            Cluster.get(context.getSystem()).state().getUnreachable()
                .forEach(member -> unreachableMembers.add(member.uniqueAddress().toString()));
            for (final Member member : Cluster.get(context.getSystem()).state().getMembers())
            {
                final int brokerId = brokerIdOf(member);
                if (brokerId >= 0 && (member.status() == MemberStatus.up() || member.status() == MemberStatus.weaklyUp()))
                {
                    brokerMembers.computeIfAbsent(brokerId, id -> new HashSet<>()).add(member.uniqueAddress().toString());
                }
            }
        }
        log.info("controller recovered {} topic(s), {} broker(s); live brokers {}",
            image.topics().size(), image.brokers().size(), liveBrokerIds(image));
        context.getSelf().tell(Reconcile.INSTANCE);
    }

    @Override
    public EventHandler<ClusterImage, ControllerEvent> eventHandler()
    {
        return newEventHandlerBuilder()
            .forAnyState()
            .onEvent(BrokerRegistered.class, this::onBrokerRegistered)
            .onEvent(TopicCreated.class, this::onTopicCreated)
            .onEvent(TopicDeleted.class, this::onTopicDeleted)
            .onEvent(TopicConfigsAltered.class, this::onTopicConfigsAltered)
            .onEvent(PartitionsAdded.class, this::onPartitionsAdded)
            .onEvent(ProducerIdsAllocated.class, this::onProducerIdsAllocated)
            .onEvent(PartitionsChanged.class, this::onPartitionsChanged)
            .build();
    }

    // Commands: decide.

    private ReplyEffect<ControllerEvent, ClusterImage> onBrokerMembershipChanged(
        final ClusterImage image, final BrokerMembershipChanged change)
    {
        if (change.brokerId() < 0)
        {
            return Effect().noReply();
        }
        final int brokerId = change.brokerId();
        final boolean wasLive = isLive(brokerId);
        final Set<String> members = brokerMembers.computeIfAbsent(brokerId, id -> new HashSet<>());
        final boolean added = change.member() ? members.add(change.memberAddress()) : members.remove(change.memberAddress());
        if (change.member() && added || members.isEmpty())
        {
            // A new member of the broker (a restart), or the broker is gone: a controlled shutdown is over.
            shuttingDown.remove(brokerId);
        }
        if (!change.member())
        {
            unreachableMembers.remove(change.memberAddress());
        }
        return onLivenessChange(image, brokerId, wasLive);
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onBrokerReachabilityChanged(
        final ClusterImage image, final BrokerReachabilityChanged change)
    {
        if (change.brokerId() < 0)
        {
            return Effect().noReply();
        }
        final boolean wasLive = isLive(change.brokerId());
        if (change.reachable())
        {
            unreachableMembers.remove(change.memberAddress());
        }
        else
        {
            unreachableMembers.add(change.memberAddress());
        }
        return onLivenessChange(image, change.brokerId(), wasLive);
    }

    /** Elects, fences or restores after broker {@code brokerId}'s liveness may have changed. */
    private ReplyEffect<ControllerEvent, ClusterImage> onLivenessChange(
        final ClusterImage image, final int brokerId, final boolean wasLive)
    {
        final boolean live = isLive(brokerId);
        if (wasLive == live)
        {
            return Effect().noReply();
        }
        log.info(live ? "broker {} is a reachable cluster member" :
            "broker {} is unreachable or left the cluster: electing new leaders for its partitions, taking it out of " +
            "ISRs, no new replicas are assigned to it", brokerId);
        final List<PartitionChange> changes = PartitionElections.reconcile(image, this::isLive, log::warn);
        if (changes.isEmpty())
        {
            publishBrokerChange(image, brokerId, live, changes);
            return Effect().noReply();
        }
        return Effect()
            .persist(new PartitionsChanged(changes))
            .thenRun(newImage ->
            {
                logChanges("broker " + brokerId + (live ? " came back" : " is gone"), changes);
                publishBrokerChange(newImage, brokerId, live, changes);
            })
            .thenNoReply();
    }

    /** Registered brokers that are not gone, by id: where new replicas go. */
    private List<Integer> liveBrokerIds(final ClusterImage image)
    {
        return image.sortedBrokerIds().stream().filter(this::isLive).collect(Collectors.toList());
    }

    /** A broker with a member up and reachable (outside a cluster: not known to be gone). */
    private boolean isLive(final int brokerId)
    {
        final Set<String> members = brokerMembers.get(brokerId);
        return members == null ? !clusterMode : members.stream().anyMatch(member -> !unreachableMembers.contains(member));
    }

    /** Live and not shutting down: may be elected leader or added to an ISR. */
    private boolean isEligible(final int brokerId)
    {
        return isLive(brokerId) && !shuttingDown.contains(brokerId);
    }

    // Replication: decide leaders and ISRs, persist, publish.

    private ReplyEffect<ControllerEvent, ClusterImage> onReconcile(final ClusterImage image, final Reconcile command)
    {
        final List<PartitionChange> changes = PartitionElections.reconcile(image, this::isLive, log::warn);
        if (changes.isEmpty())
        {
            publishAll(image);
            return Effect().noReply();
        }
        return Effect()
            .persist(new PartitionsChanged(changes))
            .thenRun(newImage ->
            {
                logChanges("live brokers " + liveBrokerIds(newImage), changes);
                publishAll(newImage);
            })
            .thenNoReply();
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onPublishMetadata(final ClusterImage image, final PublishMetadata tick)
    {
        publishImage(image);
        return Effect().noReply();
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onAlterIsr(final ClusterImage image, final AlterIsr command)
    {
        final ActorRef<ControllerProtocol.AlterIsrReply> replyTo = command.replyTo();
        final String name = command.topic() + "-" + command.partition();
        final Optional<TopicImage> topic = image.topic(command.topic());
        if (topic.isEmpty() || command.partition() < 0 || command.partition() >= topic.get().partitionCount())
        {
            return reject(replyTo, ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                "Partition " + name + " does not exist; it may have been deleted: stop leading it.");
        }
        final PartitionImage partition = topic.get().partitions().get(command.partition());
        if (command.leaderId() != partition.leader() || command.leaderEpoch() != partition.leaderEpoch())
        {
            return reject(replyTo, ControllerErrorCode.FENCED_LEADER_EPOCH,
                "Broker " + command.leaderId() + " with leader epoch " + command.leaderEpoch() + " is not the leader of " +
                name + ": broker " + partition.leader() + " leads it in epoch " + partition.leaderEpoch() +
                "; wait for the controller's LeaderAndIsr.");
        }
        if (command.partitionEpoch() != partition.partitionEpoch())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_UPDATE_VERSION,
                "ISR change of " + name + " is based on partition epoch " + command.partitionEpoch() + " but it is " +
                partition.partitionEpoch() + "; apply the controller's latest LeaderAndIsr and ask again.");
        }
        final List<Integer> newIsr = command.newIsr();
        if (!newIsr.contains(command.leaderId()) || new HashSet<>(newIsr).size() != newIsr.size())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_REQUEST,
                "New ISR " + newIsr + " of " + name + " must hold the leader " + command.leaderId() +
                " and no broker twice.");
        }
        for (final int member : newIsr)
        {
            if (!partition.replicas().contains(member))
            {
                return reject(replyTo, ControllerErrorCode.INELIGIBLE_REPLICA,
                    "Broker " + member + " is not a replica of " + name + " (replicas " + partition.replicas() + ").");
            }
            if (!partition.isr().contains(member) && !isEligible(member))
            {
                return reject(replyTo, ControllerErrorCode.INELIGIBLE_REPLICA,
                    "Broker " + member + " cannot join the ISR of " + name + ": it is not live or is shutting down.");
            }
        }
        if (new HashSet<>(newIsr).equals(new HashSet<>(partition.isr())))
        {
            return Effect().reply(replyTo, new IsrAltered(command.topic(), partition));
        }
        final PartitionChange change = new PartitionChange(command.topic(), partition.withIsr(newIsr));
        return Effect()
            .persist(new PartitionsChanged(List.of(change)))
            .thenRun(newImage ->
            {
                log.info("ISR of {} changed from {} to {} (asked by leader {})", name, partition.isr(), newIsr,
                    command.leaderId());
                publishChanges(newImage, List.of(change));
            })
            .thenReply(replyTo, newImage -> new IsrAltered(command.topic(), change.partition()));
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onControlledShutdown(
        final ClusterImage image, final ControlledShutdown command)
    {
        final int brokerId = command.brokerId();
        if (!image.brokers().containsKey(brokerId))
        {
            return reject(command.replyTo(), ControllerErrorCode.INVALID_REQUEST,
                "Broker " + brokerId + " is not registered; nothing to hand over.");
        }
        shuttingDown.add(brokerId);
        final List<PartitionChange> changes = PartitionElections.controlledShutdown(image, brokerId, this::isEligible);
        if (changes.isEmpty())
        {
            return Effect().reply(command.replyTo(),
                new ControlledShutdownDone(brokerId, PartitionElections.ledBy(image, brokerId)));
        }
        return Effect()
            .persist(new PartitionsChanged(changes))
            .thenRun(newImage ->
            {
                logChanges("controlled shutdown of broker " + brokerId, changes);
                publishChanges(newImage, changes);
            })
            .thenReply(command.replyTo(),
                newImage -> new ControlledShutdownDone(brokerId, PartitionElections.ledBy(newImage, brokerId)));
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onElectPreferredLeaders(
        final ClusterImage image, final ElectPreferredLeaders command)
    {
        final List<PartitionChange> changes = PartitionElections.preferredLeaders(image, this::isEligible);
        if (changes.isEmpty())
        {
            return Effect().reply(command.replyTo(), new PreferredLeadersElected(List.of()));
        }
        return Effect()
            .persist(new PartitionsChanged(changes))
            .thenRun(newImage ->
            {
                logChanges("preferred leader election", changes);
                publishChanges(newImage, changes);
            })
            .thenReply(command.replyTo(), newImage -> new PreferredLeadersElected(changes));
    }

    private void logChanges(final String cause, final List<PartitionChange> changes)
    {
        for (final PartitionChange change : changes)
        {
            final PartitionImage partition = change.partition();
            log.info("{}: {}-{} leader {} (epoch {}), ISR {}, partition epoch {}", cause, change.topic(),
                partition.partition(), partition.leader(), partition.leaderEpoch(), partition.isr(),
                partition.partitionEpoch());
        }
    }

    // Publication: after the decision is durable (thenRun), never from event handlers.

    /** Every live replica of each changed partition gets its new state; every node the new image. */
    private void publishChanges(final ClusterImage image, final List<PartitionChange> changes)
    {
        for (final PartitionChange change : changes)
        {
            publishPartition(change.topic(), change.partition());
        }
        publishImage(image);
    }

    /** Every partition's state to its live replicas, and the image: what a controller does after it starts. */
    private void publishAll(final ClusterImage image)
    {
        for (final TopicImage topic : image.topics().values())
        {
            topic.partitions().forEach(partition -> publishPartition(topic.name(), partition));
        }
        publishImage(image);
    }

    /**
     * After a broker came or went: the changed partitions to their live replicas; when it came back, also every other
     * partition with a replica on it (which got nothing while it was gone) to that replica; and the image.
     */
    private void publishBrokerChange(
        final ClusterImage image, final int brokerId, final boolean back, final List<PartitionChange> changes)
    {
        final Set<String> changed = new HashSet<>();
        for (final PartitionChange change : changes)
        {
            publishPartition(change.topic(), change.partition());
            changed.add(change.topic() + "-" + change.partition().partition());
        }
        if (back)
        {
            for (final TopicImage topic : image.topics().values())
            {
                for (final PartitionImage partition : topic.partitions())
                {
                    if (partition.replicas().contains(brokerId) && !changed.contains(topic.name() + "-" + partition.partition()))
                    {
                        publisher.leaderAndIsr(brokerId, leaderAndIsr(topic.name(), partition));
                    }
                }
            }
        }
        publishImage(image);
    }

    private void publishTopic(final ClusterImage image, final TopicImage topic, final List<PartitionImage> partitions)
    {
        partitions.forEach(partition -> publishPartition(topic.name(), partition));
        publishImage(image);
    }

    /**
     * A replica on a broker that is not live gets nothing: its shard would be started wherever the sender is. It
     * gets the state when its broker comes back ({@link #publishBrokerChange}).
     */
    private void publishPartition(final String topic, final PartitionImage partition)
    {
        final LeaderAndIsr decision = leaderAndIsr(topic, partition);
        for (final int replica : partition.replicas())
        {
            if (isLive(replica))
            {
                publisher.leaderAndIsr(replica, decision);
            }
        }
    }

    private static LeaderAndIsr leaderAndIsr(final String topic, final PartitionImage partition)
    {
        return new LeaderAndIsr(new TopicPartition(topic, partition.partition()),
            partition.leader(), partition.leaderEpoch(), partition.partitionEpoch(), partition.isr(), partition.replicas());
    }

    private void publishImage(final ClusterImage image)
    {
        publisher.metadata(
            new PublishedMetadata(image, liveBrokerIds(image), controllerBrokerId(), lastSequenceNumber(context)));
    }

    /** The broker id of the node this controller runs on, -1 outside a cluster. */
    private int controllerBrokerId()
    {
        return clusterMode ? brokerIdOf(Cluster.get(context.getSystem()).selfMember()) : -1;
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onRegisterBroker(final ClusterImage image, final RegisterBroker command)
    {
        if (command.brokerId() < 0)
        {
            return reject(command.replyTo(), ControllerErrorCode.INVALID_REQUEST,
                "Broker id must be >= 0 but was " + command.brokerId() + "; give each broker its own non-negative id.");
        }
        if (command.host() == null || command.host().isBlank())
        {
            return reject(command.replyTo(), ControllerErrorCode.INVALID_REQUEST,
                "Broker " + command.brokerId() + " registered without a host; advertise the host clients should use.");
        }
        if (command.port() < 1 || command.port() > MAX_PORT)
        {
            return reject(command.replyTo(), ControllerErrorCode.INVALID_REQUEST,
                "Broker " + command.brokerId() + " registered port " + command.port() + "; advertise the bound port, 1-" +
                MAX_PORT + ".");
        }

        final Optional<String> rack = command.rack() == null ? Optional.empty() : command.rack();
        final BrokerRegistration broker = new BrokerRegistration(command.brokerId(), command.host(), command.port(), rack);
        if (broker.equals(image.brokers().get(broker.brokerId())))
        {
            // A restarted node: nothing changes, but it should not wait for the periodic publication.
            publishImage(image);
            return Effect().reply(command.replyTo(), new BrokerRegistrationAccepted(broker));
        }
        return Effect()
            .persist(new BrokerRegistered(broker))
            .thenRun(this::publishImage)
            .thenReply(command.replyTo(), newImage -> new BrokerRegistrationAccepted(broker));
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onCreateTopic(final ClusterImage image, final CreateTopic command)
    {
        final ActorRef<ControllerProtocol.CreateTopicReply> replyTo = command.replyTo();
        final String name = command.name();
        final Optional<String> invalidName = TopicNames.invalidReason(name);
        if (invalidName.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_TOPIC_EXCEPTION, invalidName.get());
        }
        if (image.topics().containsKey(name))
        {
            return reject(replyTo, ControllerErrorCode.TOPIC_ALREADY_EXISTS,
                "Topic '" + name + "' already exists; use another name, or delete it first.");
        }
        final Optional<String> collision = TopicNames.collision(name, image.topics().keySet());
        if (collision.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_TOPIC_EXCEPTION,
                "Topic '" + name + "' collides with existing topic '" + collision.get() + "': '.' and '_' are the same in " +
                "metric names; choose a name that differs in other characters.");
        }

        final int partitions = command.partitions() == ControllerProtocol.DEFAULT ?
            settings.defaultPartitions() : command.partitions();
        final Optional<String> invalidPartitions = invalidPartitionCount(partitions);
        if (invalidPartitions.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_PARTITIONS, invalidPartitions.get());
        }

        final int replicationFactor = command.replicationFactor() == ControllerProtocol.DEFAULT ?
            settings.defaultReplicationFactor() : command.replicationFactor();
        final Optional<String> invalidReplication = invalidReplicationFactor(image, replicationFactor);
        if (invalidReplication.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_REPLICATION_FACTOR, invalidReplication.get());
        }

        final Optional<String> invalidConfig = TopicConfigs.invalidReason(command.configs(), replicationFactor);
        if (invalidConfig.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_CONFIG, invalidConfig.get());
        }

        final UUID topicId = topicIds.get();
        final int startIndex = Math.floorMod(topicId.hashCode(), liveBrokerIds(image).size());
        final List<List<Integer>> assignment = assign(image, partitions, replicationFactor, startIndex, 0);
        final TopicImage topic = new TopicImage(
            name, topicId, replicationFactor, command.configs(), initialPartitions(0, assignment));

        if (command.validateOnly())
        {
            return Effect().reply(replyTo, new TopicCreationAccepted(topic, true));
        }
        return Effect()
            .persist(new TopicCreated(topic))
            .thenRun(newImage ->
            {
                logTopicCreated(topic);
                publishTopic(newImage, topic, topic.partitions());
            })
            .thenReply(replyTo, newImage -> new TopicCreationAccepted(topic, false));
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onDeleteTopic(final ClusterImage image, final DeleteTopic command)
    {
        final Optional<TopicImage> topic = image.topic(command.name());
        if (topic.isEmpty())
        {
            return reject(command.replyTo(), ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknownTopic(command.name()));
        }
        final UUID topicId = topic.get().topicId();
        return Effect()
            .persist(new TopicDeleted(command.name(), topicId))
            .thenRun(newImage ->
            {
                log.info("Deleted topic {} ({})", command.name(), topicId);
                publishImage(newImage);
            })
            .thenReply(command.replyTo(), newImage -> new TopicDeletionAccepted(command.name(), topicId));
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onDescribeTopic(final ClusterImage image, final DescribeTopic command)
    {
        final Optional<TopicImage> topic = image.topic(command.name());
        if (topic.isEmpty())
        {
            return reject(command.replyTo(), ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknownTopic(command.name()));
        }
        return Effect().reply(command.replyTo(), new TopicDescription(topic.get()));
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onListTopics(final ClusterImage image, final ListTopics command)
    {
        return Effect().reply(command.replyTo(), new TopicListing(image.sortedTopicNames()));
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onAlterTopicConfigs(
        final ClusterImage image, final AlterTopicConfigs command)
    {
        final ActorRef<ControllerProtocol.AlterTopicConfigsReply> replyTo = command.replyTo();
        final Optional<TopicImage> existing = image.topic(command.name());
        if (existing.isEmpty())
        {
            return reject(replyTo, ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknownTopic(command.name()));
        }
        for (final String key : command.delete())
        {
            if (command.set().containsKey(key))
            {
                return reject(replyTo, ControllerErrorCode.INVALID_REQUEST,
                    "Config " + key + " is both set and deleted; send it in one list only.");
            }
        }
        final Optional<String> unknownDeleted = TopicConfigs.unknownKey(command.delete());
        if (unknownDeleted.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_CONFIG, unknownDeleted.get());
        }

        final TopicImage topic = existing.get();
        final Map<String, String> configs = TopicConfigs.altered(topic.configs(), command.set(), command.delete());
        final Optional<String> invalid = TopicConfigs.invalidReason(configs, topic.replicationFactor());
        if (invalid.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_CONFIG, invalid.get());
        }

        final TopicConfigsAccepted accepted = new TopicConfigsAccepted(command.name(), configs, command.validateOnly());
        if (command.validateOnly() || configs.equals(topic.configs()))
        {
            return Effect().reply(replyTo, accepted);
        }
        return Effect()
            .persist(new TopicConfigsAltered(command.name(), configs))
            .thenRun(this::publishImage)
            .thenReply(replyTo, newImage -> accepted);
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onCreatePartitions(
        final ClusterImage image, final CreatePartitions command)
    {
        final ActorRef<ControllerProtocol.CreatePartitionsReply> replyTo = command.replyTo();
        final Optional<TopicImage> existing = image.topic(command.name());
        if (existing.isEmpty())
        {
            return reject(replyTo, ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknownTopic(command.name()));
        }
        final TopicImage topic = existing.get();
        final int current = topic.partitionCount();
        if (command.newTotal() == current)
        {
            return reject(replyTo, ControllerErrorCode.INVALID_PARTITIONS,
                "Topic '" + command.name() + "' already has " + current + " partitions; ask for more to add some.");
        }
        if (command.newTotal() < current)
        {
            return reject(replyTo, ControllerErrorCode.INVALID_PARTITIONS,
                "Topic '" + command.name() + "' has " + current + " partitions and cannot shrink to " + command.newTotal() +
                "; partitions can only be added (create a new topic to have fewer).");
        }
        final Optional<String> invalidPartitions = invalidPartitionCount(command.newTotal());
        if (invalidPartitions.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_PARTITIONS, invalidPartitions.get());
        }
        final Optional<String> invalidReplication = invalidReplicationFactor(image, topic.replicationFactor());
        if (invalidReplication.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_REPLICATION_FACTOR, invalidReplication.get());
        }

        // As Kafka does: continue the existing round-robin from the broker that leads partition 0.
        final int startIndex = Math.max(0, assignmentOrder(image).indexOf(topic.partitions().get(0).replicas().get(0)));
        final List<List<Integer>> assignment =
            assign(image, command.newTotal() - current, topic.replicationFactor(), startIndex, current);
        final List<PartitionImage> added = initialPartitions(current, assignment);

        final PartitionsAccepted accepted = new PartitionsAccepted(topic.withPartitionsAdded(added), command.validateOnly());
        if (command.validateOnly())
        {
            return Effect().reply(replyTo, accepted);
        }
        return Effect()
            .persist(new PartitionsAdded(command.name(), added))
            .thenRun(newImage ->
            {
                log.info("Topic {} grew from {} to {} partitions", command.name(), current, command.newTotal());
                publishTopic(newImage, topic, added);
            })
            .thenReply(replyTo, newImage -> accepted);
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onAllocateProducerIds(
        final ClusterImage image, final AllocateProducerIds command)
    {
        final int blockSize = command.blockSize() == ControllerProtocol.DEFAULT ?
            settings.producerIdBlockSize() : command.blockSize();
        if (blockSize < 1)
        {
            return reject(command.replyTo(), ControllerErrorCode.INVALID_REQUEST,
                "Producer id block size must be >= 1 (or -1 for the default " + settings.producerIdBlockSize() +
                ") but was " + command.blockSize() + ".");
        }
        final long first = image.nextProducerId();
        if (first > Long.MAX_VALUE - blockSize)
        {
            return reject(command.replyTo(), ControllerErrorCode.UNKNOWN_SERVER_ERROR,
                "Producer ids are exhausted: the next block of " + blockSize + " would pass " + Long.MAX_VALUE +
                "; ask for a smaller block.");
        }
        return Effect()
            .persist(new ProducerIdsAllocated(first, blockSize))
            .thenReply(command.replyTo(), newImage -> new ProducerIdBlock(first, blockSize));
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onGetMetadata(final ClusterImage image, final GetMetadata command)
    {
        return Effect().reply(command.replyTo(), image);
    }

    // Events: apply. Also run on replay, so no side effects here.

    private ClusterImage onBrokerRegistered(final ClusterImage image, final BrokerRegistered event)
    {
        return image.withBroker(event.broker());
    }

    private ClusterImage onTopicCreated(final ClusterImage image, final TopicCreated event)
    {
        return image.withTopic(event.topic());
    }

    private ClusterImage onTopicDeleted(final ClusterImage image, final TopicDeleted event)
    {
        return image.withoutTopic(event.name());
    }

    private ClusterImage onTopicConfigsAltered(final ClusterImage image, final TopicConfigsAltered event)
    {
        return image.withTopic(existingTopic(image, event.name()).withConfigs(event.configs()));
    }

    private ClusterImage onPartitionsAdded(final ClusterImage image, final PartitionsAdded event)
    {
        return image.withTopic(existingTopic(image, event.name()).withPartitionsAdded(event.partitions()));
    }

    private ClusterImage onProducerIdsAllocated(final ClusterImage image, final ProducerIdsAllocated event)
    {
        return image.withNextProducerId(event.firstProducerId() + event.blockSize());
    }

    private ClusterImage onPartitionsChanged(final ClusterImage image, final PartitionsChanged event)
    {
        return image.withPartitionChanges(event.changes());
    }

    // Helpers.

    private void logTopicCreated(final TopicImage topic)
    {
        log.info("Created topic {} ({}) with {} partitions, replication factor {}",
            topic.name(), topic.topicId(), topic.partitionCount(), topic.replicationFactor());
        if (topic.name().indexOf('.') >= 0 || topic.name().indexOf('_') >= 0)
        {
            log.warn("Topic {} contains '.' or '_': metric names cannot tell the two apart, so no topic that differs " +
                "from it only in those characters can be created", topic.name());
        }
    }

    private static TopicImage existingTopic(final ClusterImage image, final String name)
    {
        final TopicImage topic = image.topics().get(name);
        if (topic == null)
        {
            throw new IllegalStateException("journal holds an event for topic '" + name + "' that does not exist");
        }
        return topic;
    }

    private Optional<String> invalidPartitionCount(final int partitions)
    {
        if (partitions < 1)
        {
            return Optional.of("Number of partitions must be >= 1 (or -1 for the default " + settings.defaultPartitions() +
                ") but was " + partitions + ".");
        }
        if (partitions > settings.maxPartitionsPerTopic())
        {
            return Optional.of("Number of partitions " + partitions + " is above the limit of " +
                settings.maxPartitionsPerTopic() + " per topic; ask for fewer or raise " + ControllerSettings.PREFIX + "." +
                ControllerSettings.MAX_PARTITIONS_PER_TOPIC + ".");
        }
        return Optional.empty();
    }

    private Optional<String> invalidReplicationFactor(final ClusterImage image, final int replicationFactor)
    {
        if (replicationFactor < 1)
        {
            return Optional.of("Replication factor must be >= 1 (or -1 for the default " +
                settings.defaultReplicationFactor() + ") but was " + replicationFactor + ".");
        }
        final int brokers = liveBrokerIds(image).size();
        if (replicationFactor > brokers)
        {
            return Optional.of("Replication factor " + replicationFactor + " is larger than the " + brokers +
                " live broker(s) in the cluster (" + image.brokers().size() + " registered); start more brokers or " +
                "lower the replication factor.");
        }
        return Optional.empty();
    }

    /**
     * Replicas on distinct live brokers, spread evenly (leaders too); rack-aware when every live broker declared a
     * rack (a partial rack layout is ignored, as Kafka refuses it).
     */
    private List<List<Integer>> assign(
        final ClusterImage image, final int partitions, final int replicationFactor, final int startIndex,
        final int firstPartition)
    {
        final Optional<Map<Integer, String>> racks = liveRacks(image);
        if (racks.isPresent())
        {
            return ReplicaAssignor.assignRackAware(racks.get(), partitions, replicationFactor, startIndex, firstPartition);
        }
        return ReplicaAssignor.assign(liveBrokerIds(image), partitions, replicationFactor, startIndex, firstPartition);
    }

    /** The broker order the assignor walks: ascending ids, or racks alternating when rack-aware. */
    private List<Integer> assignmentOrder(final ClusterImage image)
    {
        return liveRacks(image).map(ReplicaAssignor::rackAlternated).orElseGet(() -> liveBrokerIds(image));
    }

    /** The rack of every live broker, or empty when one of them declared none. */
    private Optional<Map<Integer, String>> liveRacks(final ClusterImage image)
    {
        final Map<Integer, String> racks = new HashMap<>();
        for (final int brokerId : liveBrokerIds(image))
        {
            final Optional<String> rack = image.brokers().get(brokerId).rack();
            if (rack.isEmpty() || rack.get().isBlank())
            {
                return Optional.empty();
            }
            racks.put(brokerId, rack.get());
        }
        return racks.isEmpty() ? Optional.empty() : Optional.of(racks);
    }

    private static List<PartitionImage> initialPartitions(final int firstPartition, final List<List<Integer>> assignment)
    {
        final PartitionImage[] partitions = new PartitionImage[assignment.size()];
        for (int i = 0; i < partitions.length; i++)
        {
            partitions[i] = PartitionImage.initial(firstPartition + i, assignment.get(i));
        }
        return List.of(partitions);
    }

    private static String unknownTopic(final String name)
    {
        return "Topic '" + name + "' does not exist; list the topics to see which do, or create it first.";
    }

    private ReplyEffect<ControllerEvent, ClusterImage> reject(
        final ActorRef<? super Rejected> replyTo, final ControllerErrorCode error, final String message)
    {
        return Effect().reply(replyTo, new Rejected(error, message));
    }
}
