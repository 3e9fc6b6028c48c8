package io.quantsweep.cli;

import io.quantsweep.demo.Demo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code demo}: the whole pipeline on a generated tiny model, in local mode ({@link Demo}). */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Generate a tiny DeepSeek-V3-shaped checkpoint, quantize it in one pass into BF16 (baseline), "
                + "Q8_0, Q4_K_M, Q3_K_M, DQ3_K_M and Q2_K, evaluate every variant in-process on the bundled sets, "
                + "write the Parquet outputs and the report, and print a summary. No cluster, no network; a rerun "
                + "resumes."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", defaultValue = "out/demo", paramLabel = "DIR", description = "output folder (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "seed of the generated weights (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default local[*])")
    String master;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file, not an output folder");
        }
        PrintWriter w = spec.commandLine().getOut();
        try (LocalSession session = LocalSession.open("quantsweep demo", master)) {
            Demo.print(Demo.run(session.spark(), out, seed, w), w);
        }
        return 0;
    }
}
