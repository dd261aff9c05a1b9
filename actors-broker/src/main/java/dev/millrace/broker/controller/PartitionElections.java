package dev.millrace.broker.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * The controller's leader and ISR decisions, as pure functions of the image and of which brokers are eligible (live
 * and not shutting down), so that they can be tested without actors and the controller only persists and publishes.
 * Each returns the partitions that change, with their epochs raised; an empty list when nothing changes.
 *
 * <p>Rules (Kafka's):
 * <ul>
 *   <li>a leader is elected from the live ISR members, in replica order (the first replica is the preferred
 *       leader); a leader change raises the leader epoch and the partition epoch, an ISR change the partition
 *       epoch only;</li>
 *   <li>a partition whose ISR has no live member has no leader ({@link PartitionImage#NO_LEADER}) and keeps its
 *       ISR, so that the first of them to come back leads again; unless its topic sets
 *       {@value TopicConfigs#UNCLEAN_LEADER_ELECTION_ENABLE}{@code =true}: then the first live replica leads, with
 *       an ISR of itself (records acknowledged by the lost ISR may be lost: a warning is logged);</li>
 *   <li>a broker that is not live leaves the ISR of every partition that keeps a leader.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class PartitionElections
{
    private PartitionElections()
    {
    }

    /**
     * Brings every partition in line with which brokers are live: elects leaders for partitions whose leader is not
     * live (or that have none), and takes brokers that are not live out of ISRs.
     *
     * @param warnings receives one message per unclean election.
     */
    static List<PartitionChange> reconcile(
        final ClusterImage image, final IntPredicate live, final Consumer<String> warnings)
    {
        final List<PartitionChange> changes = new ArrayList<>();
        for (final String name : image.sortedTopicNames())
        {
            final TopicImage topic = image.topics().get(name);
            final boolean unclean = TopicConfigs.uncleanLeaderElection(topic.configs());
            for (final PartitionImage partition : topic.partitions())
            {
                reconcile(name, partition, live, unclean, warnings).ifPresent(p -> changes.add(new PartitionChange(name, p)));
            }
        }
        return changes;
    }

    private static Optional<PartitionImage> reconcile(
        final String topic, final PartitionImage partition, final IntPredicate live, final boolean unclean,
        final Consumer<String> warnings)
    {
        if (partition.hasLeader() && live.test(partition.leader()))
        {
            final List<Integer> isr = liveOnly(partition.isr(), live);
            return isr.equals(partition.isr()) ? Optional.empty() : Optional.of(partition.withIsr(isr));
        }
        final Optional<Integer> candidate = firstLiveIsrMember(partition, live, -1);
        if (candidate.isPresent())
        {
            return Optional.of(partition.withLeader(candidate.get(), liveOnly(partition.isr(), live)));
        }
        if (unclean)
        {
            for (final int replica : partition.replicas())
            {
                if (live.test(replica))
                {
                    warnings.accept("Unclean leader election for " + topic + "-" + partition.partition() + ": no replica " +
                        "of ISR " + partition.isr() + " is live, broker " + replica + " leads although it may lack " +
                        "acknowledged records (" + TopicConfigs.UNCLEAN_LEADER_ELECTION_ENABLE + "=true)");
                    return Optional.of(partition.withLeader(replica, List.of(replica)));
                }
            }
        }
        if (partition.hasLeader())
        {
            // Offline: no leader, the ISR stays as it was so that one of its members can lead when it comes back.
            return Optional.of(partition.withLeader(PartitionImage.NO_LEADER, partition.isr()));
        }
        return Optional.empty();
    }

    /**
     * Before broker {@code brokerId} stops: every partition it leads gets another live ISR member as leader, and it
     * leaves the ISR of every partition that keeps a leader. A partition whose ISR has no other live member keeps
     * it as leader (there is nobody to hand over to).
     */
    static List<PartitionChange> controlledShutdown(final ClusterImage image, final int brokerId, final IntPredicate live)
    {
        final IntPredicate others = id -> id != brokerId && live.test(id);
        final List<PartitionChange> changes = new ArrayList<>();
        for (final String name : image.sortedTopicNames())
        {
            for (final PartitionImage partition : image.topics().get(name).partitions())
            {
                if (!partition.replicas().contains(brokerId))
                {
                    continue;
                }
                final List<Integer> isr = without(partition.isr(), brokerId);
                if (partition.leader() == brokerId)
                {
                    firstLiveIsrMember(partition, others, brokerId)
                        .ifPresent(leader -> changes.add(new PartitionChange(name, partition.withLeader(leader, isr))));
                }
                else if (partition.hasLeader() && partition.isr().contains(brokerId))
                {
                    changes.add(new PartitionChange(name, partition.withIsr(isr)));
                }
            }
        }
        return changes;
    }

    /** Partitions that broker {@code brokerId} still leads (no other live ISR member to take over). */
    static List<String> ledBy(final ClusterImage image, final int brokerId)
    {
        final List<String> led = new ArrayList<>();
        for (final String name : image.sortedTopicNames())
        {
            for (final PartitionImage partition : image.topics().get(name).partitions())
            {
                if (partition.leader() == brokerId)
                {
                    led.add(name + "-" + partition.partition());
                }
            }
        }
        return led;
    }

    /** Moves leadership back to the preferred (first) replica wherever it is live and in the ISR. */
    static List<PartitionChange> preferredLeaders(final ClusterImage image, final IntPredicate live)
    {
        final List<PartitionChange> changes = new ArrayList<>();
        for (final String name : image.sortedTopicNames())
        {
            for (final PartitionImage partition : image.topics().get(name).partitions())
            {
                final int preferred = partition.preferredLeader();
                if (partition.leader() != preferred && live.test(preferred) && partition.isr().contains(preferred))
                {
                    changes.add(new PartitionChange(name, partition.withLeader(preferred, partition.isr())));
                }
            }
        }
        return changes;
    }

    private static Optional<Integer> firstLiveIsrMember(
        final PartitionImage partition, final IntPredicate live, final int excluded)
    {
        for (final int replica : partition.replicas())
        {
            if (replica != excluded && partition.isr().contains(replica) && live.test(replica))
            {
                return Optional.of(replica);
            }
        }
        return Optional.empty();
    }

    private static List<Integer> liveOnly(final List<Integer> brokers, final IntPredicate live)
    {
        final List<Integer> result = new ArrayList<>(brokers.size());
        for (final int broker : brokers)
        {
            if (live.test(broker))
            {
                result.add(broker);
            }
        }
        return result;
    }

    private static List<Integer> without(final List<Integer> brokers, final int brokerId)
    {
        final List<Integer> result = new ArrayList<>(brokers);
        result.remove(Integer.valueOf(brokerId));
        return result;
    }
}
