package dev.millrace.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes the directories benchmarks write into, so that a run leaves nothing behind; keeps logs when asked. */
public final class BenchFiles
{
    private BenchFiles()
    {
    }

    public static void deleteRecursively(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * Copies the {@code *.log} and {@code *.out} files directly in {@code dir} to {@code target} (created), each named
     * {@code prefix + its name}.
     */
    public static void copyLogs(final Path dir, final Path target, final String prefix) throws IOException
    {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : files.toList())
            {
                final String name = file.getFileName().toString();
                if (Files.isRegularFile(file) && (name.endsWith(".log") || name.endsWith(".out")))
                {
                    Files.copy(file, target.resolve(prefix + name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
