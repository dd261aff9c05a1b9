package dev.millrace.benchmarks;

import java.io.IOException;
import java.util.List;

/**
 * What {@code bench kafka} drives: one broker, or a cluster of them with one process per node. Closing it stops every
 * process it started (by pid) and deletes its directories.
 */
interface SystemUnderTest extends AutoCloseable
{
    /** The name shown in the table: {@code Kafka} or {@code Millrace}. */
    String name();

    /** Where Kafka clients connect: every node's listener, comma-separated. */
    String bootstrapServers();

    /** User plus system CPU time of all its processes so far, in nanoseconds. */
    long cpuNanos();

    /** The node (broker) ids, as the Kafka protocol's Metadata names them. */
    List<Integer> nodeIds();

    /** SIGKILL of the node with this id, by its pid; returns once the process is gone. */
    void kill(int nodeId);

    /** One line for the log: pids and addresses. */
    String describe();

    @Override
    void close() throws IOException;
}
