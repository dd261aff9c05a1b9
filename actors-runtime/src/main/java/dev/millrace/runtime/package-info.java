/**
 * The processor: a DataStream API ({@code api}), the job graph with operator chaining ({@code graph}),
 * operators with keyed state and timers ({@code operators}, {@code state}), event time and windows
 * ({@code time}, {@code windows}), the job master and operator-instance actors with credit-based exchanges
 * ({@code execution}), and Nexmark as examples ({@code examples.nexmark}). See docs/processor.md.
 */
package dev.millrace.runtime;
