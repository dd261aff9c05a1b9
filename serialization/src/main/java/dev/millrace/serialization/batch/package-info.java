/**
 * The Kafka v2 record-batch format over Agrona buffers: {@link dev.millrace.serialization.batch.RecordBatchDescriptor}
 * (layout), {@link dev.millrace.serialization.batch.RecordBatchFlyweight} (header, framing, CRC, broker rewrites),
 * {@link dev.millrace.serialization.batch.RecordBatchBuilder} (writing),
 * {@link dev.millrace.serialization.batch.RecordBatchReader} and {@link dev.millrace.serialization.batch.RecordFlyweight}
 * (reading and deep validation), {@link dev.millrace.serialization.batch.Varints} and
 * {@link dev.millrace.serialization.batch.VarintReader}. Bad bytes are reported only as
 * {@link dev.millrace.serialization.batch.InvalidBatchException} with a reason; nothing here allocates per record.
 */
package dev.millrace.serialization.batch;
