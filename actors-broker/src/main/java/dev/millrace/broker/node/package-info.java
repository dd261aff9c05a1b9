/**
 * A Millrace node: one typed {@code ActorSystem} named {@code millrace} in a Pekko Cluster, hosting the controller
 * (a cluster singleton), partition replicas and consumer group coordinators (sharded entities) and, through
 * {@link dev.millrace.broker.node.BrokerNode.Extension}, other sharded services.
 *
 * <ul>
 *   <li>{@link dev.millrace.broker.node.BrokerNode} starts and stops a node; {@link dev.millrace.broker.node.BrokerNodeMain}
 *       runs one from the command line;</li>
 *   <li>{@link dev.millrace.broker.node.BrokerNodeSettings} holds {@code millrace.broker.node};</li>
 *   <li>{@link dev.millrace.broker.node.Broker} is the public actor API (topic admin, partition requests, consumer
 *       groups, producer ids; see {@code docs/actor-api.md});</li>
 *   <li>{@link dev.millrace.broker.node.GroupDirectory} lists the consumer groups (their coordinators are sharded
 *       {@link dev.millrace.broker.group.GroupCoordinator} entities that passivate);</li>
 *   <li>{@link dev.millrace.broker.node.PartitionReplicaEntity} loads a replica's topic from the controller and runs
 *       the {@link dev.millrace.broker.partition.PartitionReplica};</li>
 *   <li>{@link dev.millrace.broker.node.ReplicaPlacement} places replicas with external shard allocation.</li>
 * </ul>
 *
 * <p>Data directory layout: {@code journal/} and {@code snapshots/} (the embedded control-plane journal),
 * {@code quorum/} (this node's quorum voter, with {@code journal = quorum}), {@code logs/<topic>-<partition>/}
 * (partition logs). Several nodes form one cluster through {@code seed-nodes}; see {@code docs/cluster.md}.
 */
package dev.millrace.broker.node;
