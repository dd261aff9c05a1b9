/**
 * The Millrace log as a source and a sink of jobs. Both talk to the log through the actor API (typed messages
 * to the {@code Broker} facade of a node of the same cluster: {@code DescribeTopic}, {@code ListOffsets},
 * {@code Fetch}, {@code Produce}, and the group coordinator's {@code OffsetFetch}), never through a Kafka client,
 * and never block an instance's thread: replies are handed over to the instance and applied on its turn.
 *
 * <ul>
 *   <li>{@link dev.millrace.runtime.connectors.log.LogSource}: a topic's partitions split over the source's
 *       instances (partition {@code p} to instance {@code p % parallelism}), starting offsets
 *       ({@link dev.millrace.runtime.connectors.log.StartingOffsets}), bounded or unbounded, event time tracked per
 *       partition; its position (partition → next offset) is the reader's state.</li>
 *   <li>{@link dev.millrace.runtime.connectors.log.LogSink}: records partitioned by the murmur2 hash of their key
 *       (Kafka's default partitioner), produced in batches with bounded requests in flight; a produce error fails
 *       the job, and a job finishes only once every produce was acknowledged.</li>
 * </ul>
 */
package dev.millrace.runtime.connectors.log;
