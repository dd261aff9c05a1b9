package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One Kafka API served by the listener, over the versions in {@link SupportedApis}.
 *
 * <p>Threading: called on the listener's thread (nio: the one selector thread, which serves every connection, so an
 * API must never block: it asks and returns a stage) or the stream's threads (pekko-streams), for up to
 * {@code max-in-flight-requests-per-connection} requests of one connection at once; stages complete on the actor
 * system's dispatcher; implementations keep no mutable state.
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
