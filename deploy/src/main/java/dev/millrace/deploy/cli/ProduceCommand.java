package dev.millrace.deploy.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.millrace.deploy.MillraceMain;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code millrace produce TOPIC}: one record per line of stdin or of a file (UTF-8), optionally split into key and
 * value at the first key separator, with the same headers on every record. A file shows a progress bar and the rate
 * on stderr. Stops at the first record the node refuses and exits 1 naming the cause; records before it are sent.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
    description = "Send one record per input line (stdin or --file) to a topic.")
public final class ProduceCommand implements Runnable
{
    /** The compression codecs kafka-clients knows. */
    public enum Compression
    {
        none, gzip, snappy, lz4, zstd
    }

    @Spec
    CommandSpec spec;

    @ParentCommand
    MillraceMain parent;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Option(names = {"--file", "-f"}, paramLabel = "FILE", description = "Read the lines from this file, not stdin; " +
        "shows a progress bar and the rate on stderr.")
    Path file;

    @Option(names = {"--key-separator", "-k"}, paramLabel = "SEP",
        description = "Each line is KEY SEP VALUE, split at the first SEP; a line without SEP fails. " +
            "Default: no key, the whole line is the value.")
    String keySeparator;

    @Option(names = {"--header", "-H"}, paramLabel = "KEY=VALUE", description = "A header on every record (repeatable).")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--partition", paramLabel = "N",
        description = "Send every record to this partition. Default: by key (murmur2), keyless records spread.")
    Integer partition;

    @Option(names = "--acks", paramLabel = "ACKS", defaultValue = "all",
        description = "0, 1 or all (-1). Default: ${DEFAULT-VALUE}.")
    String acks;

    @Option(names = "--compression", paramLabel = "CODEC", defaultValue = "none",
        description = "${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    Compression compression;

    @Option(names = "--linger", paramLabel = "DURATION", defaultValue = "5ms", converter = DurationConverter.class,
        description = "How long the producer waits to fill a batch. Default: ${DEFAULT-VALUE}.")
    java.time.Duration linger;

    @Option(names = "--no-progress", description = "No progress bar for --file.")
    boolean noProgress;

    @Override
    public void run()
    {
        final String normalisedAcks = switch (acks)
        {
            case "0", "1", "all" -> acks;
            case "-1" -> "all";
            default -> throw new ParameterException(spec.commandLine(), "--acks must be 0, 1 or all, was '" + acks + "'");
        };
        if (keySeparator != null && keySeparator.isEmpty())
        {
            throw new ParameterException(spec.commandLine(), "--key-separator must not be empty");
        }
        final int partitions;
        try (Admin admin = client.admin())
        {
            final TopicDescription description = Failures.await(
                admin.describeTopics(List.of(topic)).topicNameValues().get(topic), client, "topic '" + topic + "'");
            partitions = description.partitions().size();
        }
        if (partition != null && (partition < 0 || partition >= partitions))
        {
            throw new CommandFailedException("topic '" + topic + "' has no partition " + partition + " (it has " +
                partitions + ")");
        }
        final List<Header> recordHeaders = new ArrayList<>();
        headers.forEach((key, value) -> recordHeaders.add(new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8))));
        final PrintWriter err = spec.commandLine().getErr();
        final long startNs = System.nanoTime();
        final long sent;
        try (InputStream input = open(); KafkaProducer<byte[], byte[]> producer = producer(normalisedAcks))
        {
            final Progress progress = file != null && !noProgress ? new Progress(err, Files.size(file)) : null;
            final CountingInputStream counted = new CountingInputStream(input);
            sent = send(counted, producer, recordHeaders, progress);
        }
        catch (final IOException ex)
        {
            throw new CommandFailedException("cannot read " + (file == null ? "stdin" : file) + ": " + ex.getMessage(), ex);
        }
        final double seconds = Math.max(1e-9, (System.nanoTime() - startNs) / 1e9);
        err.printf("produced %d records to topic '%s' in %.1f s (%.0f records/s)%n", sent, topic, seconds, sent / seconds);
        err.flush();
    }

    private InputStream open() throws IOException
    {
        if (file == null)
        {
            return parent.stdin();
        }
        try
        {
            return Files.newInputStream(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new CommandFailedException("no such file: " + file, ex);
        }
    }

    private KafkaProducer<byte[], byte[]> producer(final String normalisedAcks)
    {
        final Properties props = client.common();
        final int timeoutMs = (int)Math.min(Integer.MAX_VALUE / 4, client.timeout().toMillis());
        final int lingerMs = (int)Math.min(Integer.MAX_VALUE / 4, linger.toMillis());
        props.put(ProducerConfig.ACKS_CONFIG, normalisedAcks);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression.name());
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        // kafka-clients requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs + lingerMs + 1_000);
        if (!"all".equals(normalisedAcks))
        {
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        }
        props.putAll(client.clientProperties);
        try
        {
            return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        }
        catch (final KafkaException ex)
        {
            throw Failures.ofClientCreation(ex);
        }
    }

    private long send(
        final CountingInputStream input, final KafkaProducer<byte[], byte[]> producer, final List<Header> recordHeaders,
        final Progress progress) throws IOException
    {
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final AtomicLong failed = new AtomicLong();
        long lines = 0;
        final BufferedReader reader = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8), 1 << 16);
        String line;
        while (failure.get() == null && (line = reader.readLine()) != null)
        {
            lines++;
            byte[] key = null;
            String value = line;
            if (keySeparator != null)
            {
                final int at = line.indexOf(keySeparator);
                if (at < 0)
                {
                    producer.flush();
                    throw new CommandFailedException("line " + lines + " has no key separator '" + keySeparator +
                        "'; " + (lines - 1) + " records before it were sent");
                }
                key = line.substring(0, at).getBytes(StandardCharsets.UTF_8);
                value = line.substring(at + keySeparator.length());
            }
            final ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                topic, partition, key, value.getBytes(StandardCharsets.UTF_8), recordHeaders);
            try
            {
                producer.send(record, (metadata, ex) ->
                {
                    if (ex != null)
                    {
                        failed.incrementAndGet();
                        failure.compareAndSet(null, ex);
                    }
                });
            }
            catch (final KafkaException ex)
            {
                failure.compareAndSet(null, ex);
                failed.incrementAndGet();
            }
            if (progress != null)
            {
                progress.update(input.count(), lines, false);
            }
        }
        producer.flush();
        if (progress != null)
        {
            progress.update(input.count(), lines, true);
        }
        final Exception first = failure.get();
        if (first != null)
        {
            throw new CommandFailedException(failed.get() + " of " + lines + " records failed: " +
                Failures.of(first, client, "topic '" + topic + "'").getMessage(), first);
        }
        return lines;
    }

    /** Counts the bytes read, for the progress bar. */
    private static final class CountingInputStream extends java.io.FilterInputStream
    {
        private long count;

        CountingInputStream(final InputStream in)
        {
            super(in);
        }

        @Override
        public int read() throws IOException
        {
            final int b = super.read();
            if (b >= 0)
            {
                count++;
            }
            return b;
        }

        @Override
        public int read(final byte[] buffer, final int offset, final int length) throws IOException
        {
            final int n = super.read(buffer, offset, length);
            if (n > 0)
            {
                count += n;
            }
            return n;
        }

        long count()
        {
            return count;
        }
    }
}
