package dev.millrace.broker.log;

import static dev.millrace.broker.log.TestBatches.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;

import dev.millrace.serialization.batch.InvalidBatchException;
import dev.millrace.serialization.batch.RecordBatchBuilder;
import dev.millrace.serialization.batch.RecordBatchDescriptor;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import dev.millrace.serialization.batch.RecordBatchReader;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The fast record walk must accept and refuse exactly what {@link RecordBatchReader#validateDeep} does. */
class RecordsValidatorTest
{
    private final Random random = new Random(2024);
    private final RecordsValidator validator = new RecordsValidator(1 << 20);
    private final RecordBatchReader reader = new RecordBatchReader(1 << 20);
    private final RecordBatchFlyweight flyweight = new RecordBatchFlyweight();

    @Test
    void shouldAgreeWithTheRecordReaderOnRandomlyDamagedBatchesWithMatchingCrcs()
    {
        int refused = 0;
        for (int trial = 0; trial < 20_000; trial++)
        {
            final byte[] original = trial % 3 == 0 ? withHeaders(1 + random.nextInt(4)) : batch(random, 1_000, 1 + random.nextInt(6));
            final UnsafeBuffer buffer = new UnsafeBuffer(original.clone());
            // Damage one to three bytes of the records (the header is the flyweight's business), then fix the CRC so
            // only the record-level checks can catch it.
            final int damaged = 1 + random.nextInt(3);
            for (int i = 0; i < damaged; i++)
            {
                final int at = RecordBatchDescriptor.RECORDS_OFFSET + random.nextInt(original.length - RecordBatchDescriptor.RECORDS_OFFSET);
                buffer.putByte(at, (byte)random.nextInt(256));
            }
            flyweight.wrap(buffer, 0).updateCrc();

            final String readerVerdict = verdict(() -> reader.validateDeep(buffer, 0, original.length, Integer.MAX_VALUE, 0));
            final String validatorVerdict = verdict(() -> validator.validateRecords(buffer, 0, original.length, 0));
            assertEquals(readerVerdict == null, validatorVerdict == null,
                "trial " + trial + ": reader says " + readerVerdict + ", validator says " + validatorVerdict);
            refused += null == readerVerdict ? 0 : 1;
        }
        assertTrue(refused > 5_000, "the damage should be caught often, was " + refused);
    }

    @Test
    void shouldAcceptWellFormedBatches()
    {
        for (int trial = 0; trial < 200; trial++)
        {
            final byte[] bytes = trial % 2 == 0 ? withHeaders(1 + random.nextInt(4)) : batch(random, 1_000, 1 + random.nextInt(50));
            validator.validateRecords(new UnsafeBuffer(bytes), 0, bytes.length, 0);
        }
    }

    private byte[] withHeaders(final int records)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(buffer, 0, 1 << 16);
        for (int i = 0; i < records; i++)
        {
            builder.header("h" + i, new byte[random.nextInt(5)]);
            builder.append(1_000 + i, random.nextBoolean() ? null : new byte[random.nextInt(20)], new byte[random.nextInt(40)]);
        }
        final int size = builder.build();
        final byte[] bytes = new byte[size];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    private static String verdict(final Runnable check)
    {
        try
        {
            check.run();
            return null;
        }
        catch (final InvalidBatchException ex)
        {
            return ex.getMessage();
        }
    }
}
