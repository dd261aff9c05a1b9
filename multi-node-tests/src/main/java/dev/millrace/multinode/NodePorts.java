package dev.millrace.multinode;

/**
 * The ports of one node of a {@link LocalCluster}, all on 127.0.0.1.
 *
 * @param cluster   the Pekko cluster (Artery TCP) port.
 * @param kafka     the Kafka listener's port, also the port the broker advertises.
 * @param voterBase the first of the quorum voter's {@value #VOTER_PORTS} consecutive UDP ports.
 */
public record NodePorts(int cluster, int kafka, int voterBase)
{
    /** UDP ports a quorum voter uses from its base port (QuorumConfig.PORTS_PER_VOTER). */
    public static final int VOTER_PORTS = 5;
}
