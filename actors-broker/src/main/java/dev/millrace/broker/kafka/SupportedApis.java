package dev.millrace.broker.kafka;

import java.util.EnumMap;
import java.util.Map;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The APIs and versions the listener implements: exactly what ApiVersions advertises.
 *
 * <p>Produce and Fetch stop at v12, OffsetCommit and OffsetFetch at v9: their next versions name topics by id only.
 * The rest cover every version kafka-clients 4.x knows.
 *
 * <p>Threading: immutable.
 */
final class SupportedApis
{
    private final Map<ApiKeys, short[]> ranges = new EnumMap<>(ApiKeys.class);

    SupportedApis()
    {
        all(ApiKeys.API_VERSIONS);
        all(ApiKeys.METADATA);
        range(ApiKeys.PRODUCE, ApiKeys.PRODUCE.oldestVersion(), (short)12);
        range(ApiKeys.FETCH, ApiKeys.FETCH.oldestVersion(), (short)12);
        all(ApiKeys.LIST_OFFSETS);
        all(ApiKeys.CREATE_TOPICS);
        all(ApiKeys.FIND_COORDINATOR);
        all(ApiKeys.INIT_PRODUCER_ID);
        all(ApiKeys.JOIN_GROUP);
        all(ApiKeys.SYNC_GROUP);
        all(ApiKeys.HEARTBEAT);
        all(ApiKeys.LEAVE_GROUP);
        // v10 of both name topics by id only.
        range(ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_COMMIT.oldestVersion(), (short)9);
        range(ApiKeys.OFFSET_FETCH, ApiKeys.OFFSET_FETCH.oldestVersion(), (short)9);
        all(ApiKeys.DESCRIBE_GROUPS);
        all(ApiKeys.LIST_GROUPS);
        all(ApiKeys.DELETE_TOPICS);
        all(ApiKeys.DELETE_RECORDS);
        all(ApiKeys.DESCRIBE_CLUSTER);
        all(ApiKeys.DELETE_GROUPS);
        all(ApiKeys.OFFSET_DELETE);
        all(ApiKeys.DESCRIBE_CONFIGS);
        all(ApiKeys.INCREMENTAL_ALTER_CONFIGS);
        all(ApiKeys.OFFSET_FOR_LEADER_EPOCH);
        all(ApiKeys.CREATE_PARTITIONS);
        all(ApiKeys.ALTER_CONFIGS);
        all(ApiKeys.DESCRIBE_PRODUCERS);
    }

    private void all(final ApiKeys api)
    {
        range(api, api.oldestVersion(), api.latestVersion());
    }

    private void range(final ApiKeys api, final short min, final short max)
    {
        ranges.put(api, new short[] {min, max});
    }

    boolean supports(final ApiKeys api, final short version)
    {
        final short[] range = ranges.get(api);
        return range != null && version >= range[0] && version <= range[1];
    }

    ApiVersionsResponseData.ApiVersionCollection advertised()
    {
        final ApiVersionsResponseData.ApiVersionCollection versions = new ApiVersionsResponseData.ApiVersionCollection();
        ranges.forEach((api, range) -> versions.add(new ApiVersionsResponseData.ApiVersion()
            .setApiKey(api.id).setMinVersion(range[0]).setMaxVersion(range[1])));
        return versions;
    }
}
