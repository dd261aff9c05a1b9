/**
 * A harness for simulations with real Millrace nodes: {@link dev.millrace.multinode.LocalCluster} starts N node JVMs
 * ({@code BrokerNodeMain}) on 127.0.0.1, each with its own data directory, Aeron directory and free ports, waits for
 * them to form one cluster, and injects faults by process id ({@link dev.millrace.multinode.NodeProcess}: SIGKILL,
 * SIGSTOP/SIGCONT, restart on the same data directory, and with {@code networkFaults()} a cut of the Pekko traffic
 * between chosen nodes). {@link dev.millrace.multinode.Scenario} plays a schedule of
 * {@link dev.millrace.multinode.FaultStep}s while {@link dev.millrace.multinode.Workload}s (the verifiable producers
 * and consumers of {@code dev.millrace.multinode.verify}) run. Everything it starts is ended by pid and its
 * directories are removed when the cluster is closed. See docs/cluster.md and docs/multi-node-tests.md.
 */
package dev.millrace.multinode;
