package dev.millrace.runtime.operators;

/**
 * A record of one of two inputs, marked with its side. Two-input operations (connect, joins) send both
 * inputs as one stream of these into a single operator: it has one input gate, so its event time is
 * already the minimum over the channels of both inputs, and keyed both sides share one exchange.
 *
 * @param one the first input's record, or null
 * @param two the second input's record, or null
 * @param <A> first input type
 * @param <B> second input type
 */
public record TaggedUnion<A, B>(A one, B two)
{
    public TaggedUnion
    {
        if ((one == null) == (two == null))
        {
            throw new IllegalArgumentException("a tagged union holds exactly one record of one side");
        }
    }

    /**
     * @param value a first-input record
     * @param <A>   first input type
     * @param <B>   second input type
     * @return it, tagged
     */
    public static <A, B> TaggedUnion<A, B> one(final A value)
    {
        return new TaggedUnion<>(value, null);
    }

    /**
     * @param value a second-input record
     * @param <A>   first input type
     * @param <B>   second input type
     * @return it, tagged
     */
    public static <A, B> TaggedUnion<A, B> two(final B value)
    {
        return new TaggedUnion<>(null, value);
    }

    /** @return whether it comes from the first input */
    public boolean isOne()
    {
        return one != null;
    }
}
