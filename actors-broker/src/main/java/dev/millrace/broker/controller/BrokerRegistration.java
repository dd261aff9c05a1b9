package dev.millrace.broker.controller;

import java.util.Objects;
import java.util.Optional;

import dev.millrace.serialization.kryo.MillraceMessage;

/**
 * A registered broker as the controller knows it: its id and the endpoint clients and replicas connect to.
 *
 * <p>Immutable; part of {@link ClusterImage} and persisted inside {@link ControllerEvent.BrokerRegistered}.
 *
 * @param brokerId the broker's id, unique in the cluster, {@code >= 0}.
 * @param host     the advertised host name.
 * @param port     the advertised port, 1-65535.
 * @param rack     the rack the broker is in, if it declared one (not yet used by assignment).
 */
public record BrokerRegistration(int brokerId, String host, int port, Optional<String> rack) implements MillraceMessage
{
    public BrokerRegistration
    {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(rack, "rack");
    }
}
