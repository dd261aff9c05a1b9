/**
 * The cluster controller: the event-sourced owner of the cluster's metadata.
 *
 * <p>{@link dev.millrace.broker.controller.Controller} is a Pekko Persistence typed behavior (run as a cluster
 * singleton) whose state is an immutable {@link dev.millrace.broker.controller.ClusterImage}: registered brokers,
 * topics with their ids, configs and partition assignment, leaders, leader epochs, ISR, and the producer-id
 * allocator. Its protocol is {@link dev.millrace.broker.controller.ControllerProtocol}; its journal holds
 * {@link dev.millrace.broker.controller.ControllerEvent}s, which carry every decision (topic ids, replica
 * assignment, producer-id blocks) so that replay re-decides nothing.
 *
 * <p>Validation follows Kafka: topic names ({@link dev.millrace.broker.controller.TopicNames}), topic configs
 * ({@link dev.millrace.broker.controller.TopicConfigs}, the storage keys through
 * {@link dev.millrace.broker.log.LogConfig}), partition counts and replication factors; refusals are
 * {@link dev.millrace.broker.controller.ControllerProtocol.Rejected} replies with a
 * {@link dev.millrace.broker.controller.ControllerErrorCode} named as Kafka's. Replicas are placed by
 * {@link dev.millrace.broker.controller.ReplicaAssignor} (Kafka's rack-unaware round robin).
 *
 * <p>Settings: {@code millrace.controller} in this module's {@code reference.conf}
 * ({@link dev.millrace.broker.controller.ControllerSettings}). Kryo ids: 3000-3999.
 */
package dev.millrace.broker.controller;
