package io.quantsweep.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The command line run in the test's JVM, as {@code scripts/quantsweep ARGS} would run it, with what it printed. */
public final class CliRun {
    private CliRun() {
    }

    /** The exit status and what the command wrote to its standard output and error. */
    public record Result(int status, String out, String err) {
    }

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = QuantSweep.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(status, out.toString(), err.toString());
    }
}
