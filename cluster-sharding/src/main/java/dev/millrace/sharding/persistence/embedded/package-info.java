/**
 * The embedded Pekko Persistence plugins: a journal ({@link dev.millrace.sharding.persistence.embedded.RocksDbJournal})
 * and a snapshot store ({@link dev.millrace.sharding.persistence.embedded.RocksDbSnapshotStore}) on an embedded RocksDB
 * per plugin, for one-node deployments. Plugin ids {@code millrace.persistence.embedded.journal} and
 * {@code millrace.persistence.embedded.snapshot}; settings in this module's {@code reference.conf}.
 */
package dev.millrace.sharding.persistence.embedded;
