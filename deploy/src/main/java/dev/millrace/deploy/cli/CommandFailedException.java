package dev.millrace.deploy.cli;

import dev.millrace.deploy.MillraceMain;

/**
 * An operation that failed for a reason the user can act on (an unknown topic, an unreachable node, a refused
 * setting): the command line prints its message on one line, without a stack trace, and exits with
 * {@link #exitCode()}.
 */
public final class CommandFailedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public CommandFailedException(final String message)
    {
        this(message, MillraceMain.FAILED, null);
    }

    public CommandFailedException(final String message, final Throwable cause)
    {
        this(message, MillraceMain.FAILED, cause);
    }

    public CommandFailedException(final String message, final int exitCode, final Throwable cause)
    {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode()
    {
        return exitCode;
    }
}
