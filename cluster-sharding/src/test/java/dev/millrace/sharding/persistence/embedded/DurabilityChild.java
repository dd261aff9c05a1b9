package dev.millrace.sharding.persistence.embedded;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link KillDashNineDurabilityITCase}: persists {@code event-1}, {@code event-2}, ... one at a time
 * through a real {@code EventSourcedBehavior} on the embedded journal and prints {@code ACK <seqNr>} on stdout after
 * each acknowledged write, until killed or {@code maxEvents} are written.
 * <p>
 * Usage: {@code DurabilityChild <data-dir> <max-events>}. Logs go to stderr.
 */
public final class DurabilityChild
{
    static final String PERSISTENCE_ID = "durable-1";
    static final String ACK = "ACK ";

    private DurabilityChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dataDir = Path.of(args[0]);
        final int maxEvents = Integer.parseInt(args[1]);
        final ActorSystem<AppendOnlyEntity.Command> system = ActorSystem.create(
            AppendOnlyEntity.create(PERSISTENCE_ID, 0),
            "durability-child",
            EmbeddedTestConfig.forDir(dataDir).withFallback(ConfigFactory.load()));
        try
        {
            for (int i = 1; i <= maxEvents; i++)
            {
                final String event = "event-" + i;
                final long sequenceNr = AskPattern.<AppendOnlyEntity.Command, Long>ask(
                        system,
                        (replyTo) -> new AppendOnlyEntity.Append(event, replyTo),
                        Duration.ofSeconds(10),
                        system.scheduler())
                    .toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
                // Printed only after the journal acknowledged the write: the parent treats this line as a promise.
                System.out.println(ACK + sequenceNr);
                System.out.flush();
            }
            System.out.println("DONE");
            System.out.flush();
        }
        finally
        {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }
}
