/**
 * Record-batch compression with kafka-clients 4.x's libraries, levels and framing (gzip, xerial-framed snappy,
 * LZ4 frame, zstd), so that batches are byte-identical to a Kafka producer's; decompression is bounded against
 * decompression bombs and reports corrupt input as an {@link dev.millrace.serialization.batch.InvalidBatchException}.
 */
package dev.millrace.serialization.compress;
