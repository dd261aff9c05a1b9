/**
 * Running jobs on one node: {@link dev.millrace.runtime.execution.JobMaster} (one per job) spawns
 * {@link dev.millrace.runtime.execution.OperatorInstance}s (one per vertex and subtask) that move records in
 * {@link dev.millrace.runtime.execution.Buffer}s under credit-based flow control;
 * {@link dev.millrace.runtime.execution.LocalJobRunner} submits. Settings: {@code millrace.runtime} in
 * reference.conf. Buffers to an instance on another node travel encoded ({@link dev.millrace.runtime.exchange});
 * every message but the in-process {@code Deliver} may cross nodes and has a Kryo id in 6000-6999.
 */
package dev.millrace.runtime.execution;
