package dev.millrace.runtime.api;

import dev.millrace.runtime.operators.IntervalJoinOperator;
import dev.millrace.runtime.operators.TaggedUnion;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * An interval join of two keyed streams ({@link KeyedStream#intervalJoin}): each left record at {@code l}
 * meets the right records with the same key at {@code r} in {@code [l + lower, l + upper]} (both inclusive).
 * Both inputs need event time; the join's event time is the minimum of both inputs' watermarks.
 *
 * @param <K> key type
 * @param <A> left type
 * @param <B> right type
 */
public final class IntervalJoin<K, A, B>
{
    private final KeyedStream<K, A> left;
    private final KeyedStream<K, B> right;
    private long lowerMs;
    private long upperMs;
    private boolean boundsSet;
    private OutputTag<A> leftLateTag;
    private OutputTag<B> rightLateTag;

    IntervalJoin(final KeyedStream<K, A> left, final KeyedStream<K, B> right)
    {
        this.left = left;
        this.right = right;
    }

    /**
     * @param lower the earliest right time relative to the left record's (may be negative)
     * @param upper the latest right time relative to the left record's
     * @return this
     */
    public IntervalJoin<K, A, B> between(final Duration lower, final Duration upper)
    {
        if (lower.compareTo(upper) > 0)
        {
            throw new IllegalArgumentException("interval join lower bound " + lower + " is above its upper bound "
                + upper);
        }
        this.lowerMs = lower.toMillis();
        this.upperMs = upper.toMillis();
        this.boundsSet = true;
        return this;
    }

    /**
     * @param tag side output for left records that arrive too late to meet all their partners
     * @return this
     */
    public IntervalJoin<K, A, B> sideOutputLeftLateData(final OutputTag<A> tag)
    {
        this.leftLateTag = tag;
        return this;
    }

    /**
     * @param tag side output for right records that arrive too late to meet all their partners
     * @return this
     */
    public IntervalJoin<K, A, B> sideOutputRightLateData(final OutputTag<B> tag)
    {
        this.rightLateTag = tag;
        return this;
    }

    /**
     * @param factory makes one function per instance; it receives every joined pair
     * @param <R>     result type
     * @return the function's output
     */
    public <R> DataStream<R> process(final Supplier<? extends ProcessJoinFunction<A, B, R>> factory)
    {
        if (!boundsSet)
        {
            throw new IllegalStateException("an interval join needs its bounds: call between(lower, upper) first");
        }
        final KeyedStream<K, TaggedUnion<A, B>> tagged = TwoInputs.keyed(TwoInputs.beforePartition(left),
            TwoInputs.beforePartition(right), left.keySelector(), right.keySelector(), "IntervalJoin");
        final KeySelector<TaggedUnion<A, B>, K> keySelector = tagged.keySelector();
        final long lower = lowerMs;
        final long upper = upperMs;
        final OutputTag<A> leftLate = leftLateTag;
        final OutputTag<B> rightLate = rightLateTag;
        return tagged.transform("IntervalJoin", () -> new IntervalJoinOperator<K, A, B, R>(keySelector, lower, upper,
            factory.get(), leftLate, rightLate));
    }
}
