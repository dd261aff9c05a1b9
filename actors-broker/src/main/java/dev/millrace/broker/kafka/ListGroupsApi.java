package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.group.GroupCoordinator.GroupDescription;
import dev.millrace.broker.group.GroupError;
import dev.millrace.broker.node.Broker;
import dev.millrace.broker.node.GroupDirectory;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * ListGroups: the ids of {@link Broker.ListGroups} (the group directory), each described by its coordinator
 * ({@link Broker.GroupOverview}) for its state and protocol type.
 *
 * <p>Filters as Kafka's group coordinator applies them: {@code StatesFilter} (v4+) keeps the groups whose state is
 * one of the given names compared without case and surrounding blanks ({@code "stable"} matches {@code Stable});
 * {@code TypesFilter} (v5+) keeps the groups whose type is one of the given names without case, and every Millrace
 * group is a classic one ({@code "classic"}; any other name, known to Kafka or not, matches none). An empty filter
 * keeps every group. A listed id whose coordinator answers GROUP_ID_NOT_FOUND (a group that expired or was deleted
 * since the directory's last sweep) is not listed. If a coordinator does not answer, the response is
 * COORDINATOR_NOT_AVAILABLE (Admin retries it).
 *
 * <p>The response carries the group state from v4 and the group type from v5, as Kafka's does.
 */
final class ListGroupsApi implements KafkaApi
{
    private static final short STATE_VERSION = 4;
    private static final short TYPE_VERSION = 5;
    /** Kafka's group coordinator writes its type names in lower case. */
    private static final String CLASSIC = "classic";

    private final BrokerContext context;

    ListGroupsApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final ListGroupsRequestData data = ((ListGroupsRequest)request).data();
        final short version = header.apiVersion();
        final Set<String> states = data.statesFilter().stream()
            .map(state -> state.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        if (!data.typesFilter().isEmpty() && data.typesFilter().stream().noneMatch(CLASSIC::equalsIgnoreCase))
        {
            return CompletableFuture.completedFuture(
                new ListGroupsResponse(new ListGroupsResponseData().setErrorCode(Errors.NONE.code())));
        }
        return context.<GroupDirectory.GroupListing>ask(Broker.ListGroups::new)
            .thenCompose(listing -> describeAll(listing.groupIds()))
            .thenApply(descriptions -> response(descriptions, states, version))
            .exceptionally(failure -> new ListGroupsResponse(new ListGroupsResponseData()
                .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())));
    }

    private CompletionStage<List<GroupDescription>> describeAll(final List<String> groupIds)
    {
        final List<CompletableFuture<GroupDescription>> pending = new ArrayList<>(groupIds.size());
        for (final String groupId : groupIds)
        {
            pending.add(context.<GroupDescription>ask(replyTo -> new Broker.GroupOverview(groupId,
                new GroupCoordinator.DescribeGroup(Map.of(), replyTo))).toCompletableFuture());
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> pending.stream().map(CompletableFuture::join).toList());
    }

    private static AbstractResponse response(
        final List<GroupDescription> descriptions, final Set<String> states, final short version)
    {
        final ListGroupsResponseData data = new ListGroupsResponseData().setErrorCode(Errors.NONE.code());
        for (final GroupDescription description : descriptions)
        {
            if (description.error() == GroupError.GROUP_ID_NOT_FOUND)
            {
                continue;
            }
            if (description.error() != GroupError.NONE)
            {
                return new ListGroupsResponse(new ListGroupsResponseData().setErrorCode((short)description.error().code()));
            }
            final String state = KafkaGroupStates.name(description.state());
            if (!states.isEmpty() && !states.contains(state.toLowerCase(Locale.ROOT)))
            {
                continue;
            }
            final ListGroupsResponseData.ListedGroup listed = new ListGroupsResponseData.ListedGroup()
                .setGroupId(description.groupId()).setProtocolType(description.protocolType());
            if (version >= STATE_VERSION)
            {
                listed.setGroupState(state);
            }
            if (version >= TYPE_VERSION)
            {
                listed.setGroupType(CLASSIC);
            }
            data.groups().add(listed);
        }
        return new ListGroupsResponse(data);
    }
}
