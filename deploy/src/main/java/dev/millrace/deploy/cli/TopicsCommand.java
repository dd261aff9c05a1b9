package dev.millrace.deploy.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code millrace topics create|list|describe|alter|delete}: topic administration through the Kafka Admin client. */
@Command(
    name = "topics",
    description = "Create, list, describe, alter and delete topics.",
    mixinStandardHelpOptions = true,
    subcommands = {
        TopicsCommand.Create.class, TopicsCommand.ListTopics.class, TopicsCommand.Describe.class,
        TopicsCommand.Alter.class, TopicsCommand.Delete.class})
public final class TopicsCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: create, list, describe, alter, delete");
    }

    static String topic(final String name)
    {
        return "topic '" + name + "'";
    }

    @Command(name = "create", description = "Create a topic.", mixinStandardHelpOptions = true)
    static final class Create implements Runnable
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic's name.")
        String name;

        @Option(names = {"--partitions", "-p"}, paramLabel = "N",
            description = "Number of partitions. Default: the node's (millrace.controller.default-partitions).")
        Integer partitions;

        @Option(names = {"--replication-factor", "-r"}, paramLabel = "N",
            description = "Replicas of each partition. Default: the node's (millrace.controller.default-replication-factor).")
        Short replicationFactor;

        @Option(names = {"--config", "-c"}, paramLabel = "KEY=VALUE",
            description = "A topic setting (repeatable), e.g. --config retention.ms=3600000.")
        Map<String, String> configs = new LinkedHashMap<>();

        @Option(names = "--if-not-exists", description = "Succeed (exit 0) when the topic exists already.")
        boolean ifNotExists;

        @Override
        public void run()
        {
            if (partitions != null && partitions < 1)
            {
                throw new ParameterException(spec.commandLine(), "--partitions must be >= 1, was " + partitions);
            }
            if (replicationFactor != null && replicationFactor < 1)
            {
                throw new ParameterException(spec.commandLine(), "--replication-factor must be >= 1, was " +
                    replicationFactor);
            }
            final NewTopic topic = new NewTopic(name, Optional.ofNullable(partitions), Optional.ofNullable(replicationFactor))
                .configs(configs);
            try (Admin admin = client.admin())
            {
                final CreateTopicsResult result = admin.createTopics(List.of(topic));
                try
                {
                    Failures.await(result.all(), client, topic(name));
                }
                catch (final CommandFailedException ex)
                {
                    if (ifNotExists && ex.getCause() instanceof TopicExistsException)
                    {
                        spec.commandLine().getOut().println("topic '" + name + "' exists already");
                        return;
                    }
                    throw ex;
                }
                final int count = Failures.await(result.numPartitions(name), client, topic(name));
                final int replicas = Failures.await(result.replicationFactor(name), client, topic(name));
                spec.commandLine().getOut().println("created topic '" + name + "' with " + count + " partition" +
                    (count == 1 ? "" : "s") + ", replication factor " + replicas);
            }
        }
    }

    @Command(name = "list", description = "List the topics' names, one per line, sorted.", mixinStandardHelpOptions = true)
    static final class ListTopics implements Runnable
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
                for (final String name : new TreeSet<>(Failures.await(admin.listTopics().names(), client, "list topics")))
                {
                    out.println(name);
                }
            }
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Describe topics: partitions, leader, replicas, in-sync replicas, start and end offsets, and " +
            "the settings that differ from the defaults.")
    static final class Describe implements Runnable
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "TOPIC", arity = "0..*", description = "Topics to describe. Default: all.")
        List<String> names = new ArrayList<>();

        @Override
        public void run()
        {
            try (Admin admin = client.admin())
            {
                final Collection<String> topics = names.isEmpty() ?
                    new TreeSet<>(Failures.await(admin.listTopics().names(), client, "list topics")) : names;
                final PrintWriter out = spec.commandLine().getOut();
                for (final String name : topics)
                {
                    describe(admin, name, out);
                }
            }
        }

        private void describe(final Admin admin, final String name, final PrintWriter out)
        {
            final TopicDescription description = Failures.await(
                admin.describeTopics(List.of(name)).topicNameValues().get(name), client, topic(name));
            final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
            final Config config = Failures.await(admin.describeConfigs(List.of(resource)).values().get(resource),
                client, topic(name));
            final String overrides = config.entries().stream()
                .filter(entry -> !entry.isDefault() && entry.source() != ConfigEntry.ConfigSource.DEFAULT_CONFIG)
                .sorted((a, b) -> a.name().compareTo(b.name()))
                .map(entry -> entry.name() + "=" + entry.value())
                .collect(Collectors.joining(","));
            final List<TopicPartitionInfo> partitions = description.partitions();
            final Map<TopicPartition, OffsetSpec> earliest = new LinkedHashMap<>();
            final Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
            for (final TopicPartitionInfo partition : partitions)
            {
                earliest.put(new TopicPartition(name, partition.partition()), OffsetSpec.earliest());
                latest.put(new TopicPartition(name, partition.partition()), OffsetSpec.latest());
            }
            final Map<TopicPartition, ListOffsetsResultInfo> starts =
                Failures.await(admin.listOffsets(earliest).all(), client, topic(name));
            final Map<TopicPartition, ListOffsetsResultInfo> ends =
                Failures.await(admin.listOffsets(latest).all(), client, topic(name));
            out.printf("Topic: %s\tTopicId: %s\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: %s%n",
                name, description.topicId(), partitions.size(),
                partitions.isEmpty() ? 0 : partitions.get(0).replicas().size(), overrides);
            for (final TopicPartitionInfo partition : partitions)
            {
                final TopicPartition tp = new TopicPartition(name, partition.partition());
                out.printf("\tPartition: %d\tLeader: %s\tReplicas: %s\tIsr: %s\tStartOffset: %d\tEndOffset: %d%n",
                    partition.partition(), partition.leader() == null ? "none" : partition.leader().idString(),
                    ids(partition.replicas()), ids(partition.isr()), starts.get(tp).offset(), ends.get(tp).offset());
            }
        }

        private static String ids(final List<Node> nodes)
        {
            return nodes.stream().map(Node::idString).collect(Collectors.joining(","));
        }
    }

    @Command(name = "alter", mixinStandardHelpOptions = true,
        description = "Change a topic's settings or add partitions.")
    static final class Alter implements Runnable
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "TOPIC")
        String name;

        @Option(names = {"--partitions", "-p"}, paramLabel = "N",
            description = "Grow the topic to N partitions (never fewer).")
        Integer partitions;

        @Option(names = {"--config", "-c"}, paramLabel = "KEY=VALUE", description = "Set a topic setting (repeatable).")
        Map<String, String> configs = new LinkedHashMap<>();

        @Option(names = "--delete-config", paramLabel = "KEY",
            description = "Remove a topic setting, back to the node's default (repeatable).")
        List<String> deleteConfigs = new ArrayList<>();

        @Override
        public void run()
        {
            if (partitions == null && configs.isEmpty() && deleteConfigs.isEmpty())
            {
                throw new ParameterException(spec.commandLine(),
                    "nothing to change: give --partitions, --config or --delete-config");
            }
            final PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = client.admin())
            {
                // Fail on an unknown topic by name before any change, whatever the node answers to the changes.
                Failures.await(admin.describeTopics(List.of(name)).topicNameValues().get(name), client, topic(name));
                if (!configs.isEmpty() || !deleteConfigs.isEmpty())
                {
                    final List<AlterConfigOp> ops = new ArrayList<>();
                    configs.forEach((key, value) -> ops.add(
                        new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET)));
                    deleteConfigs.forEach(key -> ops.add(
                        new AlterConfigOp(new ConfigEntry(key, null), AlterConfigOp.OpType.DELETE)));
                    final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
                    Failures.await(admin.incrementalAlterConfigs(Map.of(resource, ops)).all(), client, topic(name));
                    out.println("altered topic '" + name + "' settings: " + describe(ops));
                }
                if (partitions != null)
                {
                    Failures.await(admin.createPartitions(Map.of(name, NewPartitions.increaseTo(partitions))).all(),
                        client, topic(name));
                    out.println("topic '" + name + "' now has " + partitions + " partitions");
                }
            }
        }

        private static String describe(final List<AlterConfigOp> ops)
        {
            return ops.stream()
                .map(op -> op.opType() == AlterConfigOp.OpType.SET ?
                    op.configEntry().name() + "=" + op.configEntry().value() : "-" + op.configEntry().name())
                .collect(Collectors.joining(", "));
        }
    }

    @Command(name = "delete", description = "Delete topics and all their records.", mixinStandardHelpOptions = true)
    static final class Delete implements Runnable
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "TOPIC", arity = "1..*")
        List<String> names = new ArrayList<>();

        @Option(names = "--if-exists", description = "Succeed (exit 0) for topics that do not exist.")
        boolean ifExists;

        @Override
        public void run()
        {
            final PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = client.admin())
            {
                final var results = admin.deleteTopics(names).topicNameValues();
                for (final String name : names)
                {
                    try
                    {
                        Failures.await(results.get(name), client, topic(name));
                        out.println("deleted topic '" + name + "'");
                    }
                    catch (final CommandFailedException ex)
                    {
                        if (!(ifExists && ex.getCause() instanceof UnknownTopicOrPartitionException))
                        {
                            throw ex;
                        }
                        out.println("topic '" + name + "' does not exist");
                    }
                }
            }
        }
    }
}
