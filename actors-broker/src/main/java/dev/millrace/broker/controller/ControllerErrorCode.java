package dev.millrace.broker.controller;

import dev.millrace.serialization.kryo.MillraceMessage;

/**
 * Why the controller refused a command, named as Kafka's error codes so the Kafka listener maps them one to one.
 * Carried by {@link ControllerProtocol.Rejected} with a message that says what to do.
 */
public enum ControllerErrorCode implements MillraceMessage
{
    /** A topic with this exact name exists: pick another name or delete the existing topic first. */
    TOPIC_ALREADY_EXISTS,
    /** No topic with this name exists. */
    UNKNOWN_TOPIC_OR_PARTITION,
    /** The name breaks Kafka's rules, or collides with an existing topic once '.' and '_' are treated alike. */
    INVALID_TOPIC_EXCEPTION,
    /** A partition count below 1, above the configured maximum, or not an increase. */
    INVALID_PARTITIONS,
    /** A replication factor below 1 or above the number of registered brokers. */
    INVALID_REPLICATION_FACTOR,
    /** An unknown topic config key or a value out of range. */
    INVALID_CONFIG,
    /** The request itself is malformed (bad broker endpoint, a key both set and deleted, a bad block size). */
    INVALID_REQUEST,
    /** An ISR change from a leader whose leader epoch is not the partition's current one: it has been replaced. */
    FENCED_LEADER_EPOCH,
    /** An ISR change based on a partition epoch that is not the current one: the leader has not seen the last change. */
    INVALID_UPDATE_VERSION,
    /** An ISR change that adds a broker which is not a replica of the partition or not live. */
    INELIGIBLE_REPLICA,
    /** The controller cannot serve the request for a reason the client cannot fix (producer ids exhausted). */
    UNKNOWN_SERVER_ERROR
}
