package dev.millrace.runtime.api;

/**
 * Combines a pair of records with equal keys from the two sides of a window join.
 *
 * @param <A> first input type
 * @param <B> second input type
 * @param <R> result type
 */
@FunctionalInterface
public interface JoinFunction<A, B, R>
{
    /**
     * @param first  a record of the first input
     * @param second a record of the second input in the same window and with the same key
     * @return the joined record
     * @throws Exception fails the job
     */
    R join(A first, B second) throws Exception;
}
