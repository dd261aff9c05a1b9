/**
 * Keyed state: the state types and their descriptors (with {@link dev.millrace.runtime.state.StateTtlConfig
 * time-to-live}), the {@link dev.millrace.runtime.state.KeyedStateBackend} of an operator instance — on the heap
 * ({@link dev.millrace.runtime.state.HeapKeyedStateBackend}) or in RocksDB
 * ({@link dev.millrace.runtime.state.RocksDbKeyedStateBackend}), chosen per job through
 * {@link dev.millrace.runtime.state.StateBackends} — key-group assignment, and the pluggable snapshot serializer
 * (Kryo by default). Backends store entries; the state semantics, namespaces and TTL live in the handles built by
 * {@link dev.millrace.runtime.state.AbstractKeyedStateBackend}, so both backends behave alike and share one
 * snapshot format.
 */
package dev.millrace.runtime.state;
