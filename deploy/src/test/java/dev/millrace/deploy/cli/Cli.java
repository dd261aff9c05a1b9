package dev.millrace.deploy.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.millrace.deploy.MillraceMain;

/** Runs the command line in this JVM with captured streams, as a script would see it. */
final class Cli
{
    /** What one command line did. */
    record Result(int exitCode, String out, String err)
    {
        List<String> lines()
        {
            return out.isEmpty() ? List.of() : Arrays.asList(out.split("\\R"));
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    private Cli()
    {
    }

    static Result run(final String... args)
    {
        return runWithInput("", args);
    }

    static Result runWithInput(final String stdin, final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = MillraceMain.execute(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** {@code args} against the node at {@code bootstrap}: appends {@code -b bootstrap} and a short timeout. */
    static Result at(final String bootstrap, final String... args)
    {
        return runWithInput("", with(bootstrap, args));
    }

    static Result atWithInput(final String bootstrap, final String stdin, final String... args)
    {
        return runWithInput(stdin, with(bootstrap, args));
    }

    private static String[] with(final String bootstrap, final String... args)
    {
        final List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--bootstrap-server");
        all.add(bootstrap);
        all.add("--timeout");
        all.add("15s");
        return all.toArray(String[]::new);
    }
}
