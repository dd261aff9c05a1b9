package dev.millrace.deploy.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code millrace groups list|describe|reset-offsets|delete}: consumer groups through the Kafka Admin client. */
@Command(
    name = "groups",
    description = "List, describe (with lag), reset the offsets of, and delete consumer groups.",
    mixinStandardHelpOptions = true,
    subcommands = {
        GroupsCommand.ListGroups.class, GroupsCommand.Describe.class, GroupsCommand.ResetOffsets.class,
        GroupsCommand.Delete.class})
public final class GroupsCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: list, describe, reset-offsets, delete");
    }

    static String group(final String name)
    {
        return "group '" + name + "'";
    }

    /** A group's description; fails naming the group when it does not exist (a classic group then reads as DEAD). */
    static ConsumerGroupDescription describeGroup(final Admin admin, final ClientOptions client, final String name)
    {
        final ConsumerGroupDescription description = Failures.await(
            admin.describeConsumerGroups(List.of(name)).describedGroups().get(name), client, group(name));
        if (description.groupState() == GroupState.DEAD)
        {
            throw new CommandFailedException(group(name) + " does not exist");
        }
        return description;
    }

    static Map<TopicPartition, Long> endOffsets(
        final Admin admin, final ClientOptions client, final Set<TopicPartition> partitions, final OffsetSpec spec,
        final String subject)
    {
        final Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, spec));
        final Map<TopicPartition, ListOffsetsResultInfo> found =
            Failures.await(admin.listOffsets(query).all(), client, subject);
        final Map<TopicPartition, Long> offsets = new HashMap<>();
        found.forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    @Command(name = "list", description = "List the consumer groups: name and state, sorted.",
        mixinStandardHelpOptions = true)
    static final class ListGroups implements Runnable
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Override
        public void run()
        {
            try (Admin admin = client.admin())
            {
                final PrintWriter out = spec.commandLine().getOut();
                final List<GroupListing> listings = Failures.await(admin.listGroups().all(), client, "list groups")
                    .stream().sorted(Comparator.comparing(GroupListing::groupId)).toList();
                // An older node may list groups without their state (ListGroups before v4): describe those.
                final List<String> stateless = listings.stream()
                    .filter(listing -> listing.groupState().isEmpty()).map(GroupListing::groupId).toList();
                final Map<String, ConsumerGroupDescription> described = stateless.isEmpty() ? Map.of() :
                    Failures.await(admin.describeConsumerGroups(stateless).all(), client, "describe groups");
                for (final GroupListing listing : listings)
                {
                    final ConsumerGroupDescription description = described.get(listing.groupId());
                    final String state = listing.groupState().map(GroupState::toString)
                        .orElse(description == null ? "Unknown" : description.groupState().toString());
                    out.println(listing.groupId() + "\t" + state);
                }
            }
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Describe a group: state, members, and per partition of its topics the committed offset, the " +
            "log end offset and the lag ('-' where it committed nothing), then the total lag of the committed partitions.")
    static final class Describe implements Runnable
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "GROUP")
        String name;

        @Override
        public void run()
        {
            try (Admin admin = client.admin())
            {
                final ConsumerGroupDescription description = describeGroup(admin, client, name);
                final Map<TopicPartition, OffsetAndMetadata> committed = Failures.await(
                    admin.listConsumerGroupOffsets(name).partitionsToOffsetAndMetadata(), client, group(name));
                final Map<TopicPartition, MemberDescription> owners = new HashMap<>();
                for (final MemberDescription member : description.members())
                {
                    member.assignment().topicPartitions().forEach(tp -> owners.put(tp, member));
                }
                final Set<TopicPartition> partitions = new LinkedHashSet<>(committed.keySet());
                partitions.addAll(owners.keySet());
                // Every partition of the group's topics, so that records in a partition it never committed show.
                partitions.addAll(allPartitions(admin, partitions));
                final Map<TopicPartition, Long> ends = endOffsets(admin, client, partitions, OffsetSpec.latest(), group(name));
                print(description, committed, owners, ends);
            }
        }

        private Set<TopicPartition> allPartitions(final Admin admin, final Set<TopicPartition> known)
        {
            final Set<String> topics = new TreeSet<>();
            known.forEach(tp -> topics.add(tp.topic()));
            final Set<TopicPartition> all = new LinkedHashSet<>();
            for (final String topic : topics)
            {
                try
                {
                    Failures.await(admin.describeTopics(List.of(topic)).topicNameValues().get(topic), client,
                        "topic '" + topic + "'").partitions()
                        .forEach(partition -> all.add(new TopicPartition(topic, partition.partition())));
                }
                catch (final CommandFailedException deleted)
                {
                    // A deleted topic's committed offsets still show, with the partitions they name.
                }
            }
            return all;
        }

        private void print(
            final ConsumerGroupDescription description, final Map<TopicPartition, OffsetAndMetadata> committed,
            final Map<TopicPartition, MemberDescription> owners, final Map<TopicPartition, Long> ends)
        {
            final PrintWriter out = spec.commandLine().getOut();
            out.printf("Group: %s\tState: %s\tMembers: %d%n", name, description.groupState(), description.members().size());
            out.printf("%-24s %9s %15s %15s %10s  %s%n",
                "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID");
            final Map<String, Map<Integer, TopicPartition>> sorted = new TreeMap<>();
            ends.keySet().forEach(tp -> sorted.computeIfAbsent(tp.topic(), t -> new TreeMap<>()).put(tp.partition(), tp));
            long totalLag = 0;
            for (final Map<Integer, TopicPartition> byPartition : sorted.values())
            {
                for (final TopicPartition tp : byPartition.values())
                {
                    final OffsetAndMetadata offset = committed.get(tp);
                    final long end = ends.get(tp);
                    final String lag;
                    if (offset == null)
                    {
                        lag = "-";
                    }
                    else
                    {
                        final long partitionLag = Math.max(0, end - offset.offset());
                        totalLag += partitionLag;
                        lag = Long.toString(partitionLag);
                    }
                    final MemberDescription owner = owners.get(tp);
                    out.printf("%-24s %9d %15s %15d %10s  %s%n", tp.topic(), tp.partition(),
                        offset == null ? "-" : Long.toString(offset.offset()), end, lag,
                        owner == null ? "-" : owner.consumerId() + " " + owner.host() + " " + owner.clientId());
                }
            }
            out.println("Total lag: " + totalLag);
        }
    }

    /** Where {@code reset-offsets} moves the offsets: exactly one. */
    static final class ResetTarget
    {
        @Option(names = "--to-earliest", description = "To the earliest offset of each partition.")
        boolean earliest;

        @Option(names = "--to-latest", description = "To the log end offset of each partition (lag 0).")
        boolean latest;

        @Option(names = "--to-offset", paramLabel = "OFFSET", description = "To this offset in every partition " +
            "(clamped to each partition's earliest and end offsets).")
        Long offset;

        @Option(names = "--to-timestamp", paramLabel = "TIME", converter = TimestampConverter.class,
            description = "To the first record at or after TIME (epoch ms or ISO-8601); the end when there is none.")
        Long timestamp;

        @Option(names = "--shift-by", paramLabel = "N",
            description = "By N from the committed offset (negative: back), clamped to earliest and end.")
        Long shiftBy;
    }

    @Command(name = "reset-offsets", mixinStandardHelpOptions = true,
        description = "Move an inactive group's committed offsets. Prints the new offsets; --dry-run changes nothing.")
    static final class ResetOffsets implements Runnable
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "GROUP")
        String name;

        @Option(names = {"--topic", "-t"}, paramLabel = "TOPIC",
            description = "Reset this topic's partitions (repeatable). Default: every topic the group has offsets for.")
        List<String> topics = new ArrayList<>();

        @ArgGroup(exclusive = true, multiplicity = "1")
        ResetTarget target;

        @Option(names = "--dry-run", description = "Print the new offsets without committing them.")
        boolean dryRun;

        @Override
        public void run()
        {
            try (Admin admin = client.admin())
            {
                Map<TopicPartition, OffsetAndMetadata> committed;
                try
                {
                    final ConsumerGroupDescription description = Failures.await(
                        admin.describeConsumerGroups(List.of(name)).describedGroups().get(name), client, group(name));
                    if (!description.members().isEmpty())
                    {
                        throw new CommandFailedException(group(name) + " has active members; stop its consumers first");
                    }
                    committed = Failures.await(
                        admin.listConsumerGroupOffsets(name).partitionsToOffsetAndMetadata(), client, group(name));
                }
                catch (final CommandFailedException ex)
                {
                    // A group that does not exist yet gets offsets for the topics named, as with Kafka's tool.
                    if (topics.isEmpty() || !(ex.getCause() instanceof GroupIdNotFoundException))
                    {
                        throw ex;
                    }
                    committed = Map.of();
                }
                final Set<TopicPartition> partitions = partitions(admin, committed);
                if (partitions.isEmpty())
                {
                    throw new CommandFailedException(group(name) + " has no committed offsets; name the topics with --topic");
                }
                final Map<TopicPartition, Long> earliest =
                    endOffsets(admin, client, partitions, OffsetSpec.earliest(), group(name));
                final Map<TopicPartition, Long> latest =
                    endOffsets(admin, client, partitions, OffsetSpec.latest(), group(name));
                final Map<TopicPartition, Long> atTime = target.timestamp == null ? Map.of() :
                    endOffsets(admin, client, partitions, OffsetSpec.forTimestamp(target.timestamp), group(name));
                final Map<TopicPartition, OffsetAndMetadata> reset = new TreeMap<>(
                    Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
                for (final TopicPartition tp : partitions)
                {
                    final long low = earliest.get(tp);
                    final long high = latest.get(tp);
                    final OffsetAndMetadata current = committed.get(tp);
                    final long wanted;
                    if (target.earliest)
                    {
                        wanted = low;
                    }
                    else if (target.latest)
                    {
                        wanted = high;
                    }
                    else if (target.offset != null)
                    {
                        wanted = target.offset;
                    }
                    else if (target.timestamp != null)
                    {
                        final Long found = atTime.get(tp);
                        wanted = found == null || found < 0 ? high : found;
                    }
                    else
                    {
                        wanted = (current == null ? high : current.offset()) + target.shiftBy;
                    }
                    reset.put(tp, new OffsetAndMetadata(Math.max(low, Math.min(high, wanted))));
                }
                if (!dryRun)
                {
                    Failures.await(admin.alterConsumerGroupOffsets(name, reset).all(), client, group(name));
                }
                final PrintWriter out = spec.commandLine().getOut();
                out.printf("%-24s %9s %15s%n", "TOPIC", "PARTITION", "NEW-OFFSET");
                reset.forEach((tp, offset) -> out.printf("%-24s %9d %15d%n", tp.topic(), tp.partition(), offset.offset()));
                out.println(dryRun ? "dry run: nothing committed" : "committed new offsets of " + group(name));
            }
        }

        private Set<TopicPartition> partitions(final Admin admin, final Map<TopicPartition, OffsetAndMetadata> committed)
        {
            if (topics.isEmpty())
            {
                return new LinkedHashSet<>(committed.keySet());
            }
            final Map<String, TopicDescription> described = new HashMap<>();
            for (final String topic : topics)
            {
                described.put(topic, Failures.await(admin.describeTopics(List.of(topic)).topicNameValues().get(topic),
                    client, "topic '" + topic + "'"));
            }
            final Set<TopicPartition> partitions = new LinkedHashSet<>();
            described.forEach((topic, description) -> partitions.addAll(description.partitions().stream()
                .map(TopicPartitionInfo::partition)
                .map(p -> new TopicPartition(topic, p))
                .collect(Collectors.toList())));
            return partitions;
        }
    }

    @Command(name = "delete", description = "Delete inactive consumer groups and their offsets.",
        mixinStandardHelpOptions = true)
    static final class Delete implements Runnable
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "GROUP", arity = "1..*")
        List<String> names = new ArrayList<>();

        @Override
        public void run()
        {
            try (Admin admin = client.admin())
            {
                final var results = admin.deleteConsumerGroups(names).deletedGroups();
                for (final String name : names)
                {
                    Failures.await(results.get(name), client, group(name));
                    spec.commandLine().getOut().println("deleted group '" + name + "'");
                }
            }
        }
    }
}
