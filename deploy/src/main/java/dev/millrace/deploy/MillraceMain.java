package dev.millrace.deploy;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import dev.millrace.deploy.cli.CommandFailedException;
import dev.millrace.deploy.cli.ConsumeCommand;
import dev.millrace.deploy.cli.DemoCommand;
import dev.millrace.deploy.cli.GroupsCommand;
import dev.millrace.deploy.cli.JobCommand;
import dev.millrace.deploy.cli.ProduceCommand;
import dev.millrace.deploy.cli.StandaloneCommand;
import dev.millrace.deploy.cli.TopicsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code millrace} command line: {@code standalone}, {@code topics}, {@code produce}, {@code consume},
 * {@code groups} and {@code demo}. Every command but {@code standalone} and {@code demo} talks to a node only through
 * kafka-clients, so they work against any Millrace or Kafka node.
 *
 * <p>Exit codes a script can rely on: {@value #OK} when the operation succeeded, {@value #FAILED} when it failed (one
 * line on stderr, starting {@code millrace <command>:}, names the cause), {@value #USAGE} for a usage or configuration
 * error (unknown option, bad value, a bad setting of the node, naming the key). {@code standalone} and {@code demo},
 * stopped by SIGTERM or SIGINT, exit as any JVM stopped by that signal (143, 130) after a clean shutdown.
 *
 * <p>Threading: {@link #execute} runs the command on the calling thread.
 */
@Command(
    name = "millrace",
    mixinStandardHelpOptions = true,
    versionProvider = MillraceMain.Version.class,
    description = "Millrace: the log and the processor. Talks to any Millrace (or Kafka) node through kafka-clients.",
    subcommands = {
        StandaloneCommand.class, TopicsCommand.class, ProduceCommand.class, ConsumeCommand.class,
        GroupsCommand.class, JobCommand.class, DemoCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the operation succeeded",
        "1:the operation failed; stderr names the cause",
        "2:usage or configuration error"})
public final class MillraceMain implements Runnable
{
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    private final InputStream stdin;

    private MillraceMain(final InputStream stdin)
    {
        this.stdin = stdin;
    }

    public static void main(final String[] args)
    {
        final PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        final PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(execute(System.in, out, err, args));
    }

    /**
     * Parses and runs one command line, reading records from {@code stdin} ({@code produce}) and writing to the given
     * streams; returns the exit code.
     */
    public static int execute(final InputStream stdin, final PrintWriter out, final PrintWriter err, final String... args)
    {
        final CommandLine commandLine = new CommandLine(new MillraceMain(stdin))
            .setOut(out)
            .setErr(err)
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setExecutionExceptionHandler(MillraceMain::onFailure);
        final int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** A failed operation: one line naming the cause, no stack trace (it is not a bug of the command line). */
    private static int onFailure(
        final Exception ex, final CommandLine commandLine, final CommandLine.ParseResult parseResult)
    {
        final PrintWriter err = commandLine.getErr();
        final String name = commandLine.getCommandSpec().qualifiedName();
        if (ex instanceof ParameterException)
        {
            err.println(name + ": " + ex.getMessage());
            err.flush();
            return USAGE;
        }
        if (ex instanceof CommandFailedException failed)
        {
            err.println(name + ": " + failed.getMessage());
            err.flush();
            return failed.exitCode();
        }
        err.println(name + ": failed: " + ex);
        ex.printStackTrace(err);
        err.flush();
        return FAILED;
    }

    /** Where {@code produce} reads records when it has no file. */
    public InputStream stdin()
    {
        return stdin;
    }

    @Override
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "a command is required: " +
            String.join(", ", spec.subcommands().keySet()));
    }

    /** The version from the jar's manifest when packaged; "development" otherwise. */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = MillraceMain.class.getPackage().getImplementationVersion();
            return new String[] {"millrace " + (version == null ? "development" : version)};
        }
    }
}
