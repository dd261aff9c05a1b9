package dev.millrace.transport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a child JVM started WITHOUT the {@code --add-opens} flags: tries to launch a driver in the directory
 * given as the only argument and reports what happened on stdout. If the failed start left a non-daemon thread
 * behind, this JVM would not exit and the parent test would time out.
 */
public final class FailedStartProbe
{
    private FailedStartProbe()
    {
    }

    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[0]);
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(DriverTesting.smallConfig(dir)))
        {
            System.out.println("STARTED " + driver);
        }
        catch (final TransportStartException ex)
        {
            System.out.println("FAILED " + ex.getMessage());
        }

        System.out.println("DIR_EXISTS " + Files.exists(dir));
        System.out.println("AERON_THREADS " + DriverTesting.newAeronThreads(java.util.Set.of()));
    }
}
