package dev.millrace.runtime.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.runtime.graph.JobGraph;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Two actor systems in this JVM joined into one Pekko cluster over Artery TCP on 127.0.0.1 (port 0), and the
 * wiring of operator instances by hand across them, the way a distributed job master would: the "master" is a
 * probe on node A, every instance's ref is resolved on the node that uses it, so every message between the
 * nodes goes through real remoting and Kryo.
 */
final class TwoNodeCluster implements AutoCloseable
{
    private final ActorTestKit nodeA;
    private final ActorTestKit nodeB;
    private int spawned;

    /**
     * Starts both nodes and waits until each sees both members up.
     *
     * @param wait how long joining may take
     */
    TwoNodeCluster(final Duration wait)
    {
        this(wait, ConfigFactory.empty());
    }

    /**
     * @param wait      how long joining may take
     * @param transport settings over the defaults (Artery TCP), e.g. an Aeron UDP transport
     */
    TwoNodeCluster(final Duration wait, final Config transport)
    {
        // One cluster needs one system name.
        nodeA = ActorTestKit.create("Exchange", transport.withFallback(clusterNode()));
        nodeB = ActorTestKit.create("Exchange", transport.withFallback(clusterNode()));
        final Cluster clusterA = Cluster.get(nodeA.system());
        clusterA.manager().tell(Join.create(clusterA.selfMember().address()));
        Cluster.get(nodeB.system()).manager().tell(Join.create(clusterA.selfMember().address()));
        final TestProbe<Object> probe = nodeA.createTestProbe();
        probe.awaitAssert(wait, () ->
        {
            for (final ActorTestKit node : List.of(nodeA, nodeB))
            {
                final List<MemberStatus> statuses = new ArrayList<>();
                Cluster.get(node.system()).state().getMembers().forEach(member -> statuses.add(member.status()));
                assertEquals(List.of(MemberStatus.up(), MemberStatus.up()), statuses);
            }
            return null;
        });
        assertNotEquals(nodeA.system().address(), nodeB.system().address());
    }

    private static Config clusterNode()
    {
        return ConfigFactory.parseString(
                "pekko.loglevel = WARNING\n"
                    + "pekko.actor.provider = cluster\n"
                    + "pekko.remote.artery.transport = tcp\n"
                    + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                    + "pekko.remote.artery.canonical.port = 0\n"
                    + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n")
            .withFallback(ConfigFactory.load());
    }

    /** @return node A, where the master probe and the producers live */
    ActorTestKit nodeA()
    {
        return nodeA;
    }

    /** @return node B */
    ActorTestKit nodeB()
    {
        return nodeB;
    }

    /**
     * Spawns an instance on a node; its master ref is resolved there, so its reports cross the wire when the
     * node is B.
     *
     * @return the instance's ref as seen from node A
     */
    ActorRef<OperatorInstance.Command> spawn(final ActorTestKit node, final JobGraph graph, final int vertexId,
        final int subtask, final RuntimeSettings settings, final ExchangeMetrics metrics,
        final ActorRef<JobMaster.Command> masterOnA)
    {
        final ActorRef<JobMaster.Command> master = resolve(node, nodeA, masterOnA);
        final ActorRef<OperatorInstance.Command> instance = node.spawn(OperatorInstance.create(graph, vertexId, subtask,
            settings, metrics, master, System::currentTimeMillis), "v" + vertexId + "-" + subtask + "-" + spawned++);
        return resolve(nodeA, node, instance);
    }

    /**
     * Sends Start from node A, as a job master there would: node B's instances get it, and their peers' refs,
     * over the wire.
     *
     * @param instances every instance's ref as seen from node A, by vertex then subtask
     */
    static void start(final List<List<ActorRef<OperatorInstance.Command>>> instances)
    {
        final OperatorInstance.Start start = new OperatorInstance.Start(List.copyOf(instances));
        instances.forEach(refs -> refs.forEach(ref -> ref.tell(start)));
    }

    private static <T> ActorRef<T> resolve(final ActorTestKit on, final ActorTestKit owner, final ActorRef<T> ref)
    {
        return ActorRefResolver.get(on.system()).resolveActorRef(
            ActorRefResolver.get(owner.system()).toSerializationFormat(ref));
    }

    @Override
    public void close()
    {
        nodeB.shutdownTestKit();
        nodeA.shutdownTestKit();
    }
}
