/**
 * Fraud detection per card as a Pekko typed behavior running in the stream
 * ({@link dev.millrace.runtime.api.KeyedStream#processWithBehavior}): a state machine per card whose phase is
 * the behavior it returns, backed by keyed state so it survives snapshots, restores and eviction.
 */
package dev.millrace.runtime.examples.fraud;
