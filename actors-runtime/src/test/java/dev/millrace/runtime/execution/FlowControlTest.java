package dev.millrace.runtime.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.SinkFunction;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Credit-based flow control: a deliberately slow sink slows the source, and the buffers in flight never
 * exceed the credits granted.
 */
@Timeout(60)
class FlowControlTest
{
    /** Small buffers, so the bound is tight against the input size. */
    private static final ActorTestKit TEST_KIT = ActorTestKit.create(ConfigFactory.parseString(
        "millrace.runtime.exchange.buffer-records = 64").withFallback(ConfigFactory.load()));
    private static final int RECORDS = 40_000;

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void shouldBoundBuffersInFlightAndSlowTheSourceDownToTheSink() throws Exception
    {
        final AtomicLong produced = new AtomicLong();
        final AtomicLong consumed = new AtomicLong();
        final AtomicLong maxLead = new AtomicLong();
        final SinkFunction<Long> slowSink = (value, timestamp) ->
        {
            // A slow operator: ~20 µs of work per record, far slower than the generator.
            LockSupport.parkNanos(20_000);
            final long done = consumed.incrementAndGet();
            maxLead.accumulateAndGet(produced.get() - done, Math::max);
        };
        final JobBuilder job = JobBuilder.create();
        job.fromGenerator(RECORDS, i ->
            {
                produced.incrementAndGet();
                return i;
            })
            .rebalance()
            .map(i -> i + 1).setParallelism(2)
            .sinkTo(slowSink).setParallelism(2);
        final JobResult result = LocalJobRunner.submit(TEST_KIT.system(), job.build("slow-sink"))
            .await(Duration.ofSeconds(50));

        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        assertEquals(RECORDS, consumed.get());
        final RuntimeSettings settings = RuntimeSettings.fromConfig(TEST_KIT.system().settings().config());
        assertEquals(64, settings.bufferRecords());
        final int channels = 2;
        final long creditBound = (long) channels * settings.creditsPerChannel();
        assertTrue(result.metrics().maxBuffersInFlight() <= creditBound,
            "in flight " + result.metrics().maxBuffersInFlight() + " > credits " + creditBound);
        // The source may be ahead by what the credits allow, plus the buffers it filled but holds back, plus
        // one source batch: far less than the whole input.
        final long leadBound = (creditBound + 2L * channels) * settings.bufferRecords()
            + (long) settings.bufferRecords() * settings.buffersPerTurn();
        assertTrue(maxLead.get() <= leadBound, "source ran ahead by " + maxLead.get() + " records > " + leadBound);
        assertTrue(leadBound < RECORDS / 4, "the bound must be meaningful for this input size");
        System.out.printf("slow sink: %d records, max buffers in flight %d (credit bound %d), max source lead %d "
            + "records (bound %d), source blocked %d ms%n", RECORDS, result.metrics().maxBuffersInFlight(), creditBound,
            maxLead.get(), leadBound, result.metrics().blockedNanos(0) / 1_000_000);
        assertTrue(result.metrics().blockedNanos(0) > 0, "the source vertex must have waited for credit");
    }
}
