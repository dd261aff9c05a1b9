package dev.millrace.runtime.execution;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Objects;

/**
 * Why an instance failed, in a form that crosses nodes: the exception's class name, message and stack trace
 * as text. A user's exception type need not exist (or be serializable) on the job master's node, so the
 * wire never carries the {@link Throwable} itself.
 *
 * <p>In the same JVM (the message handed over by reference) the original exception rides along, unserialized,
 * so a local job still fails with the user code's own exception; after a trip over the network
 * {@link #toThrowable()} gives a {@link RemoteInstanceException} carrying the text.
 *
 * <p>Threading: immutable.
 */
@DefaultSerializer(FailureCause.KryoSerializer.class)
public final class FailureCause
{
    /** Longest stack text kept: the report must fit one remote message (an Artery frame) with room to spare. */
    static final int MAX_STACK_TRACE_CHARS = 32 * 1024;

    private final String className;
    private final String message;
    private final String stackTrace;
    /** Only where the failure happened: never serialized. */
    private final Throwable original;

    /**
     * @param className  the exception's class name
     * @param message    its message, or null
     * @param stackTrace its stack trace (with causes) as printed
     */
    public FailureCause(final String className, final String message, final String stackTrace)
    {
        this(className, message, stackTrace, null);
    }

    private FailureCause(final String className, final String message, final String stackTrace,
        final Throwable original)
    {
        this.className = Objects.requireNonNull(className, "className");
        this.message = message;
        this.stackTrace = Objects.requireNonNull(stackTrace, "stackTrace");
        this.original = original;
    }

    /**
     * @param failure the exception
     * @return its description, keeping the exception itself for a receiver in this JVM
     */
    public static FailureCause of(final Throwable failure)
    {
        final StringWriter text = new StringWriter();
        try (PrintWriter writer = new PrintWriter(text))
        {
            failure.printStackTrace(writer);
        }
        final String printed = text.toString();
        final String stackTrace = printed.length() <= MAX_STACK_TRACE_CHARS ? printed
            : printed.substring(0, MAX_STACK_TRACE_CHARS) + "\n\t... (" + (printed.length() - MAX_STACK_TRACE_CHARS)
                + " more characters cut)\n";
        return new FailureCause(failure.getClass().getName(), failure.getMessage(), stackTrace, failure);
    }

    /** @return the exception's class name */
    public String className()
    {
        return className;
    }

    /** @return its message, or null */
    public String message()
    {
        return message;
    }

    /** @return its stack trace as text */
    public String stackTrace()
    {
        return stackTrace;
    }

    /**
     * @return the original exception when this description never left its JVM, else a
     *         {@link RemoteInstanceException} with the same class name, message and stack text
     */
    public Throwable toThrowable()
    {
        return original != null ? original : new RemoteInstanceException(this);
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof FailureCause that && className.equals(that.className)
            && Objects.equals(message, that.message) && stackTrace.equals(that.stackTrace);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(className, message, stackTrace);
    }

    @Override
    public String toString()
    {
        return message == null ? className : className + ": " + message;
    }

    /** Writes the three texts; the original exception stays behind. */
    public static final class KryoSerializer extends Serializer<FailureCause>
    {
        public KryoSerializer()
        {
            setImmutable(true);
        }

        @Override
        public void write(final Kryo kryo, final Output output, final FailureCause cause)
        {
            output.writeString(cause.className);
            output.writeString(cause.message);
            output.writeString(cause.stackTrace);
        }

        @Override
        public FailureCause read(final Kryo kryo, final Input input, final Class<? extends FailureCause> type)
        {
            return new FailureCause(input.readString(), input.readString(), input.readString());
        }
    }
}
