package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.pekko.util.ByteString;

/**
 * Turns one request frame into its response frame: parses the header and body with kafka-clients' generated classes,
 * hands the request to its {@link KafkaApi}, and writes the response with its header and size prefix.
 *
 * <p>A known API at a version this listener does not implement is answered with {@link Errors#UNSUPPORTED_VERSION}
 * (for ApiVersions, with the v0 response that lists what is supported, as Kafka does); a frame whose header or body
 * cannot be parsed fails the returned stage with {@link KafkaProtocolException}, which closes the connection.
 *
 * <p>Threading: stateless after construction; safe for concurrent use.
 */
public final class KafkaRequestHandler
{
    private static final ByteString NO_RESPONSE = ByteString.emptyByteString();

    private final SupportedApis supported = new SupportedApis();
    private final Map<ApiKeys, KafkaApi> apis = new EnumMap<>(ApiKeys.class);

    KafkaRequestHandler(final BrokerContext context)
    {
        apis.put(ApiKeys.API_VERSIONS, (header, request, client) -> CompletableFuture.completedFuture(
            apiVersions(Errors.NONE)));
        apis.put(ApiKeys.METADATA, new MetadataApi(context));
        apis.put(ApiKeys.PRODUCE, new ProduceApi(context));
        apis.put(ApiKeys.FETCH, new FetchApi(context));
        apis.put(ApiKeys.LIST_OFFSETS, new ListOffsetsApi(context));
        apis.put(ApiKeys.CREATE_TOPICS, new CreateTopicsApi(context));
        apis.put(ApiKeys.FIND_COORDINATOR, new FindCoordinatorApi(context));
        apis.put(ApiKeys.INIT_PRODUCER_ID, new InitProducerIdApi(context));
        apis.put(ApiKeys.JOIN_GROUP, new JoinGroupApi(context));
        apis.put(ApiKeys.SYNC_GROUP, new SyncGroupApi(context));
        apis.put(ApiKeys.HEARTBEAT, new HeartbeatApi(context));
        apis.put(ApiKeys.LEAVE_GROUP, new LeaveGroupApi(context));
        apis.put(ApiKeys.OFFSET_COMMIT, new OffsetCommitApi(context));
        apis.put(ApiKeys.OFFSET_FETCH, new OffsetFetchApi(context));
        apis.put(ApiKeys.DESCRIBE_GROUPS, new DescribeGroupsApi(context));
        apis.put(ApiKeys.LIST_GROUPS, new ListGroupsApi(context));
        apis.put(ApiKeys.DELETE_TOPICS, new DeleteTopicsApi(context));
        apis.put(ApiKeys.DELETE_RECORDS, new DeleteRecordsApi(context));
        apis.put(ApiKeys.DESCRIBE_CLUSTER, new DescribeClusterApi(context));
        apis.put(ApiKeys.DELETE_GROUPS, new DeleteGroupsApi(context));
        apis.put(ApiKeys.OFFSET_DELETE, new OffsetDeleteApi(context));
        apis.put(ApiKeys.DESCRIBE_CONFIGS, new DescribeConfigsApi(context));
        apis.put(ApiKeys.INCREMENTAL_ALTER_CONFIGS, new IncrementalAlterConfigsApi(context));
        apis.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochApi(context));
        apis.put(ApiKeys.CREATE_PARTITIONS, new CreatePartitionsApi(context));
        apis.put(ApiKeys.ALTER_CONFIGS, new AlterConfigsApi(context));
        apis.put(ApiKeys.DESCRIBE_PRODUCERS, new DescribeProducersApi(context));
    }

    /**
     * @param frame  one request, size prefix included
     * @param client the connection's remote address
     * @return the response frame, size prefix included; empty when the request wants no response
     */
    public CompletionStage<ByteString> handle(final ByteString frame, final InetSocketAddress client)
    {
        return respond(frame.drop(4).toByteBuffer(), client)
            .thenApply(send -> send == null ? NO_RESPONSE : ByteStringChannel.collect(send));
    }

    /**
     * As {@link #handle}, for a listener that writes kafka-clients {@link Send}s itself: the response is Kafka's own
     * network layout ({@link SendBuilder}), whose fetched records stay views of their segment files
     * ({@link RegionRecords}) until written.
     *
     * @param buffer  one request, size prefix excluded; read by this call and by the handling it starts
     * @return the response with its size prefix, or a stage completed with null when the request wants none; failed
     *         with {@link KafkaProtocolException} when the request cannot be parsed (close the connection)
     * @throws KafkaProtocolException when the request cannot even be answered with an error (close the connection)
     */
    public CompletionStage<Send> respond(final ByteBuffer buffer, final InetSocketAddress client)
    {
        final RequestHeader header;
        try
        {
            header = RequestHeader.parse(buffer);
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.failedFuture(new KafkaProtocolException("unparsable request header: " + ex, ex));
        }
        final ApiKeys api = header.apiKey();
        final short version = header.apiVersion();
        if (!supported.supports(api, version))
        {
            return CompletableFuture.completedFuture(unsupported(header, buffer));
        }
        final AbstractRequest request;
        try
        {
            request = AbstractRequest.parseRequest(api, version, new ByteBufferAccessor(buffer)).request;
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.failedFuture(new KafkaProtocolException(
                "unparsable " + api + " v" + version + " request (correlation id " + header.correlationId() + "): " + ex, ex));
        }
        return apis.get(api).handle(header, request, client)
            .exceptionally(failure -> request.getErrorResponse(failure))
            .thenApply(response -> response == null ? null : frame(header.toResponseHeader(), response, version));
    }

    private Send unsupported(final RequestHeader header, final ByteBuffer body)
    {
        final ApiKeys api = header.apiKey();
        if (api == ApiKeys.API_VERSIONS)
        {
            // A client newer than us: Kafka answers with v0, which every client can read, listing what it supports.
            return frame(new ResponseHeader(header.correlationId(), (short)0), apiVersions(Errors.UNSUPPORTED_VERSION),
                (short)0);
        }
        if (!api.isVersionSupported(header.apiVersion()))
        {
            throw new KafkaProtocolException(api + " v" + header.apiVersion() + " is unknown even to kafka-clients " +
                "(correlation id " + header.correlationId() + "): cannot write an error response");
        }
        final AbstractRequest request;
        try
        {
            request = AbstractRequest.parseRequest(api, header.apiVersion(), new ByteBufferAccessor(body)).request;
        }
        catch (final RuntimeException ex)
        {
            throw new KafkaProtocolException("unparsable " + api + " v" + header.apiVersion() + " request: " + ex, ex);
        }
        return frame(header.toResponseHeader(), request.getErrorResponse(new UnsupportedVersionException(
            api + " v" + header.apiVersion() + " is not supported by this broker")), header.apiVersion());
    }

    private ApiVersionsResponse apiVersions(final Errors error)
    {
        return new ApiVersionsResponse(new ApiVersionsResponseData()
            .setErrorCode(error.code())
            .setApiKeys(supported.advertised()));
    }

    /**
     * The size prefix, header and body as Kafka's own {@link SendBuilder} lays them out for the network: a fetch
     * response's records are a separate send of their own, read from the segment file only when written.
     */
    private static Send frame(final ResponseHeader header, final AbstractResponse response, final short version)
    {
        return SendBuilder.buildResponseSend(header, response.data(), version);
    }
}
