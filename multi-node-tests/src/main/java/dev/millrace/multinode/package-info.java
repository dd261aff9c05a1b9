/**
 * A harness for simulations with real Millrace nodes: {@link dev.millrace.multinode.LocalCluster} starts N node JVMs
 * ({@code BrokerNodeMain}) on 127.0.0.1, each with its own data directory, Aeron directory and free ports, waits for
 * them to form one cluster, and injects faults by process id ({@link dev.millrace.multinode.NodeProcess}: SIGKILL,
 * SIGSTOP/SIGCONT, restart on the same data directory). Everything it starts is ended by pid and its directories are
 * removed when the cluster is closed. See docs/cluster.md.
 */
package dev.millrace.multinode;
