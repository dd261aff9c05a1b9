package dev.millrace.runtime.examples.fraud;

import java.util.SplittableRandom;

/**
 * A card payment.
 *
 * @param cardId      the card
 * @param amountCents how much
 * @param timeMs      when (event time)
 */
public record Transaction(String cardId, long amountCents, long timeMs)
{
    /** Event time of transaction 0. */
    public static final long EPOCH_MS = 1_700_000_000_000L;
    /** Event time between consecutive transactions. */
    public static final long SPACING_MS = 100;

    /**
     * Transaction {@code index} of a generated stream, a pure function of its index (so a job's output does
     * not depend on parallelism or timing): one in ten is small (below 1.00), the others spread up to 999.99;
     * times ascend by {@link #SPACING_MS}.
     *
     * @param index the transaction's number
     * @param cards how many cards there are
     * @return the transaction
     */
    public static Transaction generate(final long index, final int cards)
    {
        final SplittableRandom random = new SplittableRandom(index);
        final String card = "card-" + random.nextInt(cards);
        final long amount = random.nextInt(10) == 0 ? random.nextLong(FraudDetector.SMALL_BELOW_CENTS)
            : random.nextLong(100_000);
        return new Transaction(card, amount, EPOCH_MS + index * SPACING_MS);
    }
}
