package io.quantsweep.cli;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.format.gguf.GgufSplit;
import io.quantsweep.format.imatrix.ImatrixData;
import io.quantsweep.format.imatrix.ImatrixFiles;
import io.quantsweep.plan.DeploymentTarget;
import io.quantsweep.plan.DeploymentTargets;
import io.quantsweep.plan.ImatrixProvenance;
import io.quantsweep.plan.KvCache;
import io.quantsweep.plan.ModelInput;
import io.quantsweep.plan.ModelPlan;
import io.quantsweep.plan.PlanOptions;
import io.quantsweep.plan.PlanParquet;
import io.quantsweep.plan.PlanReport;
import io.quantsweep.quant.imatrix.ImportanceMatrix;
import io.quantsweep.quant.imatrix.ImportanceMatrixException;
import io.quantsweep.quantize.ImportanceCoverage;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code plan --model DIR|config.json --variants A,B,...}: every variant's tensor types, sizes, bits
 * per weight and memory fit on the deployment targets, from {@code config.json} alone (the tokenizer
 * makes the header size exact; an index, when present, must name every tensor the mapping reads).
 * No weight is read.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Plan quantized variants of a model from its config: tensor types, sizes, bits per weight and whether they fit deployment targets.")
public final class PlanCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR|FILE", description = "model directory or its config.json")
    String model;

    @Option(names = "--variants", required = true, split = ",", paramLabel = "V,...",
            description = "mixtures (Q4_K_M), built-in recipes (DQ3_K_M, Q2_K_L), pure:TYPE or recipe .yaml files")
    List<String> variants;

    @Option(names = "--context", defaultValue = "32768", paramLabel = "TOKENS",
            description = "context length for the KV cache (default: ${DEFAULT-VALUE})")
    long context;

    @Option(names = "--mla", defaultValue = "split", paramLabel = "split|legacy",
            description = "MLA tensor layout: split (attn_k_b + attn_v_b, default) or legacy (attn_kv_b)")
    String mla;

    @Option(names = "--split-max-tensors", paramLabel = "N", description = "shard each variant as gguf-split --split-max-tensors N")
    Long splitMaxTensors;

    @Option(names = "--split-max-size", paramLabel = "N{M|G}", description = "shard each variant as gguf-split --split-max-size")
    String splitMaxSize;

    @Option(names = "--imatrix", paramLabel = "FILE",
            description = "the importance matrix quantize will be given: some file types (Q4_0, Q5_0, IQ4_NL, IQ4_XS) type ffn_down by whether there is one")
    String imatrix;

    @Option(names = "--targets", paramLabel = "FILE", description = "deployment targets file (default: conf/deployment-targets.yaml)")
    java.nio.file.Path targetsFile;

    @Option(names = "--target", paramLabel = "NAME=COUNTxGIB", description = "add a deployment target, e.g. 4xH200=4x141 (repeatable)")
    List<String> extraTargets = new ArrayList<>();

    @Option(names = "--overhead-gib", paramLabel = "GIB", description = "memory per device beyond weights and KV cache (default: the targets file's)")
    Double overheadGib;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Option(names = "--no-tensors", description = "leave the per-tensor tables out of the text output")
    boolean noTensors;

    @Option(names = "--out", paramLabel = "DIR", description = "also write the per-tensor table as DIR/" + PlanParquet.FILE_NAME)
    String out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        MlaLayout layout = EnumOptions.parse(spec, "--mla", mla, MlaLayout.class);
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("no variants to plan");
        }
        if (context < 1) {
            throw new ParameterException(spec.commandLine(), "--context must be at least 1, not " + context);
        }
        PlanOptions options = PlanOptions.DEFAULT;
        if (splitMaxTensors != null && splitMaxSize != null) {
            throw new ParameterException(spec.commandLine(), "--split-max-tensors and --split-max-size cannot be combined");
        } else if (splitMaxTensors != null) {
            options = options.withSplit(new GgufSplit.Options(GgufSplit.Limit.maxTensors(splitMaxTensors), false));
        } else if (splitMaxSize != null) {
            options = options.withSplit(new GgufSplit.Options(GgufSplit.Limit.parseSize(splitMaxSize), false));
        }
        ImportanceMatrix matrix = null;
        if (imatrix != null) {
            Path file = new Path(imatrix);
            InputFiles.seekable(file, "the imatrix reader");
            ImatrixData data = ImatrixFiles.read(HadoopFiles.fileSystem(file), file);
            matrix = data.importance();
            options = options.withImatrix(ImatrixProvenance.of(imatrix, data, matrix));
        }
        DeploymentTargets targets = targetsFile == null ? DeploymentTargets.builtIn()
                : DeploymentTargets.load(InputFiles.regular(targetsFile));
        targets = targets.with(extraTargets.stream().map(DeploymentTarget::parse).toList());
        if (overheadGib != null) {
            targets = targets.withOverhead(overheadGib);
        }

        if (out != null) {
            Path dir = new Path(out);
            HadoopFiles.requireFolder("--out", HadoopFiles.fileSystem(dir), dir);
        }
        Path modelPath = new Path(model);
        ModelInput input = ModelInput.read(HadoopFiles.fileSystem(modelPath), modelPath, layout);
        ModelPlan plan = ModelPlan.plan(input, variants, options);
        PlanReport report = new PlanReport(input, layout, plan, KvCache.of(input.metadata()), context, targets);
        PrintWriter w = spec.commandLine().getOut();
        if (matrix != null) {
            // what quantize will refuse or say of the matrix, said here: its entries' sizes, its coverage
            ImportanceCoverage coverage = ImportanceCoverage.of(matrix, ImportanceCoverage.lookUp(plan.variants(),
                    input.mapping().tensors(), input.inputType(), matrix).values());
            try {
                coverage.requireUsable();
            } catch (ImportanceMatrixException e) {
                throw e.in(imatrix);
            }
            if (!json) {
                w.printf("imatrix %s: %s%n%n", imatrix, coverage.describe());
            }
        }
        if (json) {
            report.writeJson(w);
        } else {
            report.writeText(w, !noTensors);
        }
        if (out != null) {
            Path dir = new Path(out);
            Path file = PlanParquet.write(HadoopFiles.fileSystem(dir), dir, plan);
            if (!json) {
                w.printf("%nwrote %s%n", file);
            }
        }
        w.flush();
        return 0;
    }
}
