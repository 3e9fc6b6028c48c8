package io.quantsweep.cli;

import io.quantsweep.format.FormatException;
import io.quantsweep.gpu.GpuUnavailableException;
import io.quantsweep.io.IsDirectoryException;
import io.quantsweep.quant.imatrix.ImportanceMatrixException;
import io.quantsweep.quant.recipe.RecipeException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code quantsweep} command line (run it through {@code scripts/quantsweep}).
 *
 * <p>Commands are thin: they parse options, call plain classes and throw. {@link #failure} is the one
 * place where an exception becomes an exit code and a message; nothing else calls
 * {@code System.exit} or prints a stack trace.
 */
@Command(name = "quantsweep", mixinStandardHelpOptions = true, versionProvider = QuantSweep.Version.class,
        description = "Quantize, evaluate and analyse very large open models on Apache Spark.",
        subcommands = {CodecCommand.class, GgufInfoCommand.class, GenerateModelCommand.class, ConvertCommand.class,
            PlanCommand.class, QuantizeCommand.class, EvalCommand.class, ReportCommand.class, DemoCommand.class},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            " 0:success",
            " 1:internal error (with a stack trace: please report it)",
            " 2:bad arguments or bad input (a one-line reason)",
            " 3:input/output failure (a one-line reason)"})
public final class QuantSweep implements Runnable {
    static final int INTERNAL_ERROR = 1;
    static final int BAD_INPUT = 2;
    static final int IO_FAILURE = 3;
    /** How the JDK ends the message of a file it may not create or open. */
    private static final String DENIED = " (Permission denied)";

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        int status = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        // YARN's ApplicationMaster, which runs the driver in cluster mode, reports a System.exit before it
        // finished as a failure; elsewhere the exit also ends the threads a library left running
        if (status != 0 || !yarnClusterDriver(System.getProperties())) {
            System.exit(status);
        }
    }

    /** Whether these are the system properties of a driver that spark-submit started in YARN's cluster mode. */
    static boolean yarnClusterDriver(Properties system) {
        return "yarn".equals(system.getProperty("spark.master"))
                && "cluster".equals(system.getProperty("spark.submit.deployMode"));
    }

    /** Runs one command line and returns its exit status; what main does, minus the exit. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new QuantSweep());
        // the last of an option's values wins, so that options after an @FILE argument replace the file's
        cli.setOverwrittenOptionsAllowed(true);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> failure(e, e.getCommandLine(), err));
        cli.setExecutionExceptionHandler((e, command, parsed) -> failure(e, command, err));
        shareVersion(cli, cli.getCommandSpec().versionProvider());
        return cli.execute(args);
    }

    /** Every subcommand offers -V, --version (mixinStandardHelpOptions), but only this class names the provider. */
    private static void shareVersion(CommandLine command, CommandLine.IVersionProvider version) {
        for (CommandLine sub : command.getSubcommands().values()) {
            sub.getCommandSpec().versionProvider(version);
            shareVersion(sub, version);
        }
    }

    @Override
    public void run() {
        requireSubcommand(spec);
    }

    /** What a command that only groups subcommands does when called alone. */
    static void requireSubcommand(CommandSpec spec) {
        throw new ParameterException(spec.commandLine(),
                "missing subcommand, one of: " + String.join(", ", spec.subcommands().keySet()));
    }

    /** Exit status and message of every failure. */
    static int failure(Exception e, CommandLine command, PrintWriter err) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        int status;
        String message;
        if (cause instanceof ParameterException) {
            status = BAD_INPUT;
            message = cause.getMessage() + "; see '" + command.getCommandSpec().qualifiedName() + " --help'";
        } else if (badInput(cause.getClass())) {
            status = BAD_INPUT;
            message = cause.getMessage();
        } else if (cause instanceof NoSuchFileException n) {
            status = BAD_INPUT;
            message = "no such file or directory: " + n.getFile();
        } else if (cause instanceof FileNotFoundException && String.valueOf(cause.getMessage()).endsWith(DENIED)) {
            // the JDK's words, through Hadoop's local file system, for a file it may not create or open
            status = IO_FAILURE;
            String m = cause.getMessage();
            message = "permission denied: " + m.substring(0, m.length() - DENIED.length());
        } else if (cause instanceof FileNotFoundException) {
            // Hadoop's file systems report a missing path this way
            status = BAD_INPUT;
            message = cause.getMessage();
        } else if (cause instanceof AccessDeniedException a) {
            status = IO_FAILURE;
            message = "permission denied: " + a.getFile();
        } else if (cause instanceof FileSystemException f) {
            // a path argument that names the wrong kind of file, or one that exists where a new one is made
            status = f instanceof IsDirectoryException || f instanceof NotDirectoryException
                    || f instanceof FileAlreadyExistsException ? BAD_INPUT : IO_FAILURE;
            message = f.getReason() != null ? f.getMessage() : f.getMessage() + ": " + kind(f);
        } else if (cause instanceof IOException) {
            status = IO_FAILURE;
            message = String.valueOf(cause.getMessage());
        } else {
            err.println("quantsweep: internal error, please report it with this trace:");
            cause.printStackTrace(err);
            err.flush();
            return INTERNAL_ERROR;
        }
        err.println("quantsweep: " + message);
        err.flush();
        return status;
    }

    /**
     * Whether a failure of this type is bad input that names itself: reported by its message alone, with
     * status 2. (Missing files and paths of the wrong kind are bad input too, reported in words of ours.)
     */
    static boolean badInput(Class<?> type) {
        return IllegalArgumentException.class.isAssignableFrom(type) || FormatException.class.isAssignableFrom(type)
                || RecipeException.class.isAssignableFrom(type) || ImportanceMatrixException.class.isAssignableFrom(type)
                || GpuUnavailableException.class.isAssignableFrom(type);
    }

    /** The reason of a file system exception that carries only its path, as the JDK's mostly do. */
    private static String kind(FileSystemException f) {
        if (f instanceof FileAlreadyExistsException) {
            return "already exists";
        } else if (f instanceof NotDirectoryException) {
            return "not a directory";
        } else if (f instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        return "file system error";
    }

    /** The Maven project version, written into {@code version.properties} at build time. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = QuantSweep.class.getResourceAsStream("version.properties")) {
                if (in == null) {
                    throw new IllegalStateException("version.properties is missing from the build");
                }
                p.load(in);
            }
            return new String[] {"quantsweep " + p.getProperty("version")};
        }
    }
}
