/**
 * Operators as the runtime calls them ({@link dev.millrace.runtime.operators.StreamOperator}): the stateless
 * ones, keyed operators with state and timers ({@link dev.millrace.runtime.operators.AbstractKeyedOperator}),
 * windows, timestamps and watermarks, sinks. Single-threaded; each snapshots its state to a tree of plain objects.
 */
package dev.millrace.runtime.operators;
