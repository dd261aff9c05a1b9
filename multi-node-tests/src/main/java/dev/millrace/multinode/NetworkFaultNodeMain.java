package dev.millrace.multinode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.node.BrokerNode;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.remote.RARP;
import scala.jdk.javaapi.FutureConverters;

/**
 * A Millrace node as {@code BrokerNodeMain} starts it, plus a network-fault hook for {@link LocalCluster}: with
 * {@code pekko.remote.artery.advanced.test-mode = on}, Artery routes every message through its test stages, and
 * this main reads commands on standard input that blackhole (drop, both directions) or restore the Pekko traffic
 * between this node and another node's cluster port:
 *
 * <pre>
 *   cut 7356      ->  netfault ok cut 7356
 *   heal 7356     ->  netfault ok heal 7356
 *   (anything else, or a failure) -> netfault failed &lt;why&gt;
 * </pre>
 *
 * <p>Only the Pekko cluster traffic (membership, heartbeats, sharding, actor messages between nodes) is cut; the
 * quorum journal's Aeron UDP and the Kafka listener's TCP are not. It prints the same ready line as
 * {@code BrokerNodeMain} and exits 0 when the actor system terminates (e.g. after the node was downed), 2 for a bad
 * setting, 1 when start-up failed. Commands are read on one daemon thread.
 */
public final class NetworkFaultNodeMain
{
    /** Every answer to a command starts with this. */
    public static final String REPLY = "netfault ";

    private static final long COMMAND_TIMEOUT_MS = 10_000;

    private NetworkFaultNodeMain()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(System.in, System.out, System.err));
    }

    static int run(final InputStream in, final PrintStream out, final PrintStream err)
    {
        final BrokerNode node;
        try
        {
            node = BrokerNode.start(ConfigFactory.load());
        }
        catch (final ConfigException ex)
        {
            err.println("millrace node: invalid configuration: " + ex.getMessage());
            return 2;
        }
        catch (final RuntimeException ex)
        {
            err.println("millrace node: start-up failed: " + ex);
            ex.printStackTrace(err);
            return 1;
        }
        synchronized (out)
        {
            out.println(NodeProcess.READY_LINE + ": broker " + node.settings().brokerId() + " at " + node.address() +
                ", data in " + node.settings().dataDir() + " (network faults on)");
            out.flush();
        }
        final Thread commands = new Thread(() -> readCommands(node, in, out), "netfault-commands");
        commands.setDaemon(true);
        commands.start();
        node.system().getWhenTerminated().toCompletableFuture().join();
        synchronized (out)
        {
            out.println("millrace node stopped");
            out.flush();
        }
        return 0;
    }

    private static void readCommands(final BrokerNode node, final InputStream in, final PrintStream out)
    {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                final String reply = REPLY + command(node, line.trim());
                synchronized (out)
                {
                    out.println(reply);
                    out.flush();
                }
            }
        }
        catch (final IOException ex)
        {
            // Standard input closed with the harness: no more commands.
        }
    }

    /** Runs one command; the reply without its prefix. */
    static String command(final BrokerNode node, final String line)
    {
        final String[] words = line.split("\\s+");
        if (words.length != 2 || !("cut".equals(words[0]) || "heal".equals(words[0])))
        {
            return "failed: expected 'cut <cluster port>' or 'heal <cluster port>' but got '" + line + "'";
        }
        final int port;
        try
        {
            port = Integer.parseInt(words[1]);
        }
        catch (final NumberFormatException ex)
        {
            return "failed: '" + words[1] + "' is not a port";
        }
        final Address self = node.address();
        final Address other = new Address(self.protocol(), self.system(), self.host().get(), port);
        try
        {
            final RARP remoting = (RARP)RARP.get(Adapter.toClassic(node.system()));
            final Object done = FutureConverters.asJava(remoting.provider().transport()
                    .managementCommand(throttle(other, "cut".equals(words[0]))))
                .toCompletableFuture().get(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return Boolean.TRUE.equals(done)
                ? "ok " + line
                : "failed: the transport did not take '" + line + "' (is pekko.remote.artery.advanced.test-mode on?)";
        }
        catch (final ExecutionException ex)
        {
            return "failed: " + ex.getCause();
        }
        catch (final TimeoutException ex)
        {
            return "failed: no answer from the transport within " + COMMAND_TIMEOUT_MS + " ms";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "failed: interrupted";
        }
        catch (final ReflectiveOperationException ex)
        {
            return "failed: " + ex;
        }
    }

    /**
     * The command Artery's test mode takes: {@code SetThrottle(other, Both, Blackhole | Unthrottled)}. Its classes live
     * in classic remoting's deprecated {@code ThrottlerTransportAdapter}, which Artery still uses for this. Scala's
     * {@code Direction.Both} object cannot be named from Java ({@code Direction$.Both$} resolves to a class file that
     * does not exist), so it is read by reflection.
     */
    @SuppressWarnings("deprecation")
    private static Object throttle(final Address other, final boolean cut) throws ReflectiveOperationException
    {
        final org.apache.pekko.remote.transport.ThrottlerTransportAdapter.Direction both =
            (org.apache.pekko.remote.transport.ThrottlerTransportAdapter.Direction)Class
                .forName("org.apache.pekko.remote.transport.ThrottlerTransportAdapter$Direction$Both$")
                .getField("MODULE$").get(null);
        final org.apache.pekko.remote.transport.ThrottlerTransportAdapter.ThrottleMode mode = cut
            ? org.apache.pekko.remote.transport.ThrottlerTransportAdapter.Blackhole$.MODULE$
            : org.apache.pekko.remote.transport.ThrottlerTransportAdapter.Unthrottled$.MODULE$;
        return new org.apache.pekko.remote.transport.ThrottlerTransportAdapter.SetThrottle(other, both, mode);
    }
}
