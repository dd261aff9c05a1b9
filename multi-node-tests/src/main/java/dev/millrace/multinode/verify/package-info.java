/**
 * A checker in the manner of the Kafka system tests' verifiable producer and consumer:
 * {@link dev.millrace.multinode.verify.VerifiableProducer} sends numbered records with acks=all and records what
 * became of each, {@link dev.millrace.multinode.verify.VerifiableConsumer} reads them back as a consumer group
 * session, and {@link dev.millrace.multinode.verify.DeliveryCheck} verifies the history: every acknowledged record
 * read back, exactly once per partition, in order, and nothing read that was never sent. See
 * docs/multi-node-tests.md.
 */
package dev.millrace.multinode.verify;
