/**
 * The storage engine of a partition replica: {@link dev.millrace.broker.log.Log}, a directory of segments holding
 * Kafka v2 record batches as produced, with sparse offset and time indexes, retention, follower truncation, a
 * leader epoch file, a flush policy and crash recovery.
 *
 * <p>Files of one partition directory (all integers big-endian; versioned headers except the Kafka-format log):
 * <ul>
 *   <li>{@code NNNNNNNNNNNNNNNNNNNN.log}: record batches back to back (magic 2), named by base offset;</li>
 *   <li>{@code NNN.index}: "MROI" v1 header, then (relative last offset int32, position int32) entries;</li>
 *   <li>{@code NNN.timeindex}: "MRTI" v1 header, then (max timestamp int64, relative offset int32) entries;</li>
 *   <li>{@code log-start-offset.checkpoint}, {@code recovery-point.checkpoint}, {@code clean-shutdown.checkpoint}:
 *       "MRCK" v1, one int64 offset, CRC32C;</li>
 *   <li>{@code leader-epoch.checkpoint}: "MRLE" v1, count, (epoch int32, start offset int64) pairs, CRC32C.</li>
 * </ul>
 *
 * <p>Hot-path code here does not import Pekko: the partition actor owns a {@code Log} and is its single writer.
 */
package dev.millrace.broker.log;
