/**
 * The quorum Pekko Persistence plugins: a journal ({@link dev.millrace.sharding.persistence.quorum.QuorumJournal}) and a
 * snapshot store ({@link dev.millrace.sharding.persistence.quorum.QuorumSnapshotStore}) replicated by Raft over Aeron
 * Cluster. The voters ({@link dev.millrace.sharding.persistence.quorum.QuorumVoter}) run the
 * {@link dev.millrace.sharding.persistence.quorum.JournalService}; every node talks to them through one
 * {@link dev.millrace.sharding.persistence.quorum.QuorumClient}. Plugin ids {@code millrace.persistence.quorum.journal}
 * and {@code millrace.persistence.quorum.snapshot}; settings in this module's {@code reference.conf}.
 */
package dev.millrace.sharding.persistence.quorum;
