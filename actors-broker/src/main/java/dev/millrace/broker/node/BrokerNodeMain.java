package dev.millrace.broker.node;

import java.io.PrintStream;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;

/**
 * Starts one {@link BrokerNode} from the configuration ({@code application.conf}, {@code -D} options such as
 * {@code -Dmillrace.broker.node.data-dir=/var/lib/millrace -Dmillrace.broker.node.port=7355}, over every module's
 * {@code reference.conf}), prints one line starting with {@value #STARTED} to stdout when it is ready, and runs
 * until the actor system terminates. SIGTERM (or SIGINT) runs Pekko's Coordinated Shutdown through its JVM shutdown
 * hook: the node leaves the cluster, stops its replicas (closing their logs) and its journal, then the JVM exits
 * (with 143, as for any SIGTERM).
 *
 * <p>Exit codes otherwise: 0 after the actor system stopped by itself, 2 for a bad setting (the message names the
 * key), 1 when start-up failed.
 * The {@code millrace standalone} command line will wrap this.
 */
public final class BrokerNodeMain
{
    /** The first words of the line printed when the node is ready. */
    public static final String STARTED = "millrace node started";

    private BrokerNodeMain()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(System.out, System.err));
    }

    static int run(final PrintStream out, final PrintStream err)
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
        out.println(STARTED + ": broker " + node.settings().brokerId() + " at " + node.address() + ", data in " +
            node.settings().dataDir());
        out.flush();
        node.system().getWhenTerminated().toCompletableFuture().join();
        out.println("millrace node stopped");
        out.flush();
        return 0;
    }
}
