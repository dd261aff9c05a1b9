package dev.millrace.broker.controller;

import java.util.Collection;
import java.util.Optional;

/**
 * Kafka's topic name rules: 1 to {@value #MAX_LENGTH} characters from {@code [a-zA-Z0-9._-]}, not "." or "..",
 * and no two topics whose names are equal once every '.' is read as '_' (metric names cannot tell them apart).
 *
 * <p>Stateless and thread-safe.
 */
public final class TopicNames
{
    public static final int MAX_LENGTH = 249;

    private TopicNames()
    {
    }

    /**
     * @return why the name is invalid, phrased as what to do, or empty when it is valid.
     */
    public static Optional<String> invalidReason(final String name)
    {
        if (name == null || name.isEmpty())
        {
            return Optional.of("Topic name is empty; use 1 to " + MAX_LENGTH + " characters from [a-zA-Z0-9._-].");
        }
        if (name.equals(".") || name.equals(".."))
        {
            return Optional.of("Topic name cannot be \".\" or \"..\"; pick a name with other characters.");
        }
        if (name.length() > MAX_LENGTH)
        {
            return Optional.of("Topic name is " + name.length() + " characters long; the limit is " + MAX_LENGTH + ".");
        }
        for (int i = 0; i < name.length(); i++)
        {
            if (!isLegal(name.charAt(i)))
            {
                return Optional.of("Topic name '" + name + "' contains '" + name.charAt(i) + "' at index " + i +
                    "; use only ASCII letters, digits, '.', '_' and '-'.");
            }
        }
        return Optional.empty();
    }

    /**
     * @return the existing topic that {@code name} collides with ('.' and '_' treated alike, the names not equal),
     *         or empty.
     */
    public static Optional<String> collision(final String name, final Collection<String> existing)
    {
        if (name.indexOf('.') < 0 && name.indexOf('_') < 0)
        {
            return Optional.empty();
        }
        final String unified = unify(name);
        for (final String other : existing)
        {
            if (!other.equals(name) && unify(other).equals(unified))
            {
                return Optional.of(other);
            }
        }
        return Optional.empty();
    }

    static String unify(final String name)
    {
        return name.replace('.', '_');
    }

    private static boolean isLegal(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '_' || c == '-';
    }
}
