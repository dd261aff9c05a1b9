package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One Kafka API served by the listener, over the versions in {@link SupportedApis}.
 *
 * <p>Threading: called on the stream's threads, concurrently for requests of different connections and for up to
 * {@code max-in-flight-requests-per-connection} requests of one; implementations keep no mutable state.
 */
@FunctionalInterface
interface KafkaApi
{
    /**
     * @param client the connection's remote address
     * @return the response, or a stage completed with {@code null} when the request wants none (produce, acks=0)
     */
    CompletionStage<AbstractResponse> handle(RequestHeader header, AbstractRequest request, InetSocketAddress client);
}
