/**
 * Running jobs on one node: {@link dev.millrace.runtime.execution.JobMaster} (one per job) spawns
 * {@link dev.millrace.runtime.execution.OperatorInstance}s (one per vertex and subtask) that move records in
 * {@link dev.millrace.runtime.execution.Buffer}s under credit-based flow control;
 * {@link dev.millrace.runtime.execution.LocalJobRunner} submits. Settings: {@code millrace.runtime} in
 * reference.conf. Control messages that may cross nodes have Kryo ids in 6000-6999.
 */
package dev.millrace.runtime.execution;
