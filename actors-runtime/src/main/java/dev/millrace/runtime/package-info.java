/**
 * The processor: DataStream API, job graph, operator-instance actors, exchanges, state backends,
 * time and windows, checkpoints. Built in the processor issue.
 */
package dev.millrace.runtime;
