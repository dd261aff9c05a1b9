package dev.millrace.runtime.examples.fraud;

import dev.millrace.runtime.api.DataStream;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.operators.KeyedBehaviorOperator;
import dev.millrace.runtime.time.WatermarkStrategy;

/**
 * The fraud-detection job: generated payments, event time from their timestamps, keyed by card, one
 * {@link FraudDetector} behavior per card (at the job's parallelism).
 *
 * <p>The payments are read by one source instance, so each card's payments reach its detector in time order
 * (as from one log partition per card). Read by several, a card's payments would come through several
 * channels, each in order but interleaved with the others, and the rule "a large payment <em>after</em> a small
 * one" would need buffering until the watermark first.
 */
public final class FraudDetectionJob
{
    private FraudDetectionJob()
    {
    }

    /**
     * @param job          the job to add to
     * @param transactions how many payments to generate
     * @param cards        over how many cards
     * @return the alerts
     */
    public static DataStream<Alert> alerts(final JobBuilder job, final long transactions, final int cards)
    {
        return alerts(job, transactions, cards, KeyedBehaviorOperator.DEFAULT_MAX_BEHAVIORS_IN_MEMORY);
    }

    /**
     * @param job                  the job to add to
     * @param transactions         how many payments to generate
     * @param cards                over how many cards
     * @param maxBehaviorsInMemory cards' detectors held per instance (1 rebuilds a detector from its state at
     *                             almost every payment: the results must not change)
     * @return the alerts
     */
    public static DataStream<Alert> alerts(final JobBuilder job, final long transactions, final int cards,
        final int maxBehaviorsInMemory)
    {
        return job.fromGenerator(transactions, i -> Transaction.generate(i, cards)).name("payments").setParallelism(1)
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Transaction>forMonotonousTimestamps()
                .withTimestampAssigner((payment, previous) -> payment.timeMs())).setParallelism(1)
            .keyBy(Transaction::cardId)
            .processWithBehavior(FraudDetector::create, FraudDetector.TransactionSeen::new,
                FraudDetector.WindowPassed::new, maxBehaviorsInMemory).name("fraud detector").uid("fraud-detector");
    }
}
