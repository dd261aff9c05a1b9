/**
 * Entity kinds, shard allocation strategies, and the Pekko Persistence journal and snapshot plugins
 * (embedded RocksDB, replicated quorum). Built in the one-node broker and quorum-journal issues.
 */
package dev.millrace.sharding;
