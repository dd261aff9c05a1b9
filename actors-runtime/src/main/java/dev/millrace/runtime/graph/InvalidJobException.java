package dev.millrace.runtime.graph;

/**
 * A job that cannot run as described: thrown when its graph is built, before anything starts, with a
 * message that names the operator and says what to change.
 */
public final class InvalidJobException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong and how to fix it
     */
    public InvalidJobException(final String message)
    {
        super(message);
    }
}
