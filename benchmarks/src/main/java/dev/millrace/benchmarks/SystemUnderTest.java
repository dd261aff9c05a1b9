package dev.millrace.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
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

    /**
     * The node that runs the active controller now (Kafka: the KRaft quorum's leader; Millrace: the node of the
     * controller singleton), as the system itself reports it.
     */
    int controllerId() throws InterruptedException;

    /** Copies every process's log files into {@code target} (created), for a failover's timeline. */
    void copyLogs(Path target) throws IOException;

    /** SIGKILL of the node with this id, by its pid; returns once the process is gone. */
    void kill(int nodeId);

    /** One line for the log: pids and addresses. */
    String describe();

    @Override
    void close() throws IOException;
}
