package io.quantsweep.cli;

import io.quantsweep.io.AtomicOutput;
import io.quantsweep.plan.DeploymentTargets;
import io.quantsweep.report.Analysis;
import io.quantsweep.report.HtmlReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code report --in DIR --out report.html}: one self-contained HTML page (the scores table, size
 * against score, bits per weight by tensor kind, error heatmaps) from an output root's Parquet, or from
 * a quantize job's and a sweep's output folders ({@code --quant}, {@code --eval}), written atomically.
 * No Spark session.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write one self-contained HTML page of an output folder's results: scores, sizes, bits and errors.")
public final class ReportCommand implements Callable<Integer> {

    @Option(names = "--in", paramLabel = "DIR",
            description = "output root: DIR/quant (quantize: _stats) and/or DIR/eval (sweep: summary, kld)")
    String in;

    @Option(names = "--quant", paramLabel = "DIR", description = "instead of --in: the folder quantize wrote (its --out)")
    String quant;

    @Option(names = "--eval", paramLabel = "DIR", description = "instead of --in: the folder a sweep wrote (eval's --out)")
    String eval;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the HTML page to write, e.g. report.html")
    String out;

    @Option(names = "--targets", paramLabel = "FILE", description = "deployment targets file (default: conf/deployment-targets.yaml)")
    java.nio.file.Path targetsFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if ((in == null) == (quant == null && eval == null)) {
            throw new ParameterException(spec.commandLine(), "give --in DIR, or --quant DIR and/or --eval DIR");
        }
        DeploymentTargets targets = targetsFile == null ? DeploymentTargets.builtIn()
                : DeploymentTargets.load(InputFiles.regular(targetsFile));
        Path target = new Path(out);
        FileSystem fs = HadoopFiles.fileSystem(target);
        byte[] page;
        // opened first, so that an output that cannot be written is refused before the results are read
        try (AtomicOutput file = AtomicOutput.create(fs, fs.makeQualified(target))) {
            Analysis analysis = in != null ? Analysis.read(HadoopFiles.fileSystem(new Path(in)), new Path(in), targets)
                    : Analysis.read(folder(quant), folder(eval), targets);
            page = HtmlReport.render(analysis).getBytes(StandardCharsets.UTF_8);
            file.stream().write(page);
            file.commit();
        }
        spec.commandLine().getOut().printf("wrote %s (%,d bytes)%n", out, page.length);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static Optional<Analysis.Folder> folder(String dir) throws IOException {
        if (dir == null) {
            return Optional.empty();
        }
        Path path = new Path(dir);
        return Optional.of(new Analysis.Folder(HadoopFiles.fileSystem(path), path));
    }
}
