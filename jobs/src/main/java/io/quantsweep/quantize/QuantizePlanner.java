package io.quantsweep.quantize;

import io.quantsweep.convert.CheckpointConverter;
import io.quantsweep.format.gguf.GgufSplit;
import io.quantsweep.format.imatrix.ImatrixData;
import io.quantsweep.format.imatrix.ImatrixFiles;
import io.quantsweep.format.safetensors.SafetensorsCheckpoint;
import io.quantsweep.io.HadoopFileSystems;
import io.quantsweep.plan.ImatrixProvenance;
import io.quantsweep.plan.ModelInput;
import io.quantsweep.plan.ModelPlan;
import io.quantsweep.plan.PlanOptions;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.imatrix.ImportanceMatrix;
import io.quantsweep.quant.imatrix.ImportanceMatrixException;
import io.quantsweep.quant.numeric.Fp8BlockScaling;
import java.io.IOException;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The driver's first step: from the arguments, the config, the tokenizer, the recipes, the importance
 * matrix and the safetensors headers (no weight is read) to the {@link QuantizePlan} and the
 * {@link RunManifest} of a run. Bad input fails here, before any task starts: a missing or corrupt
 * file ({@link io.quantsweep.format.FormatException}), a checkpoint that does not match its config
 * ({@link io.quantsweep.arch.ModelMappingException}), an unknown variant or a bad recipe
 * ({@link io.quantsweep.quant.recipe.RecipeException}), an importance entry of the wrong size or a matrix
 * of another model ({@link ImportanceMatrixException}).
 */
public final class QuantizePlanner {

    /**
     * A planned run.
     *
     * @param modelDirectory the checkpoint directory, qualified
     * @param output the output directory, qualified
     * @param scaling the FP8 block size of the checkpoint
     */
    public record Planned(QuantizePlan plan, RunManifest manifest, Path modelDirectory, Path output, Fp8BlockScaling scaling) {
    }

    private QuantizePlanner() {
    }

    public static Planned plan(QuantizeOptions o, Configuration conf) throws IOException {
        Optional<Path> imatrixFile = Optional.empty();
        if (o.imatrix().isPresent()) {
            Path file = new Path(o.imatrix().get());
            imatrixFile = Optional.of(HadoopFileSystems.of(file, conf).makeQualified(file));
        }
        try {
            return plan(o, conf, imatrixFile);
        } catch (ImportanceMatrixException e) {
            // the matrix is checked against the model as the plan takes shape: the refusal names its file
            throw imatrixFile.map(f -> e.in(f.toString())).orElse(e);
        }
    }

    private static Planned plan(QuantizeOptions o, Configuration conf, Optional<Path> imatrixFile) throws IOException {
        Path dir = new Path(o.model());
        FileSystem fs = HadoopFileSystems.of(dir, conf);
        dir = fs.makeQualified(dir);
        Path out = new Path(o.out());
        out = HadoopFileSystems.of(out, conf).makeQualified(out);

        CheckpointConverter.Model model = CheckpointConverter.load(fs, dir, o.mla());
        GgmlType inputType = o.sourcePrecision() == SourcePrecision.F32 ? GgmlType.F32 : GgmlType.BF16;
        ModelInput input = ModelInput.of(model, inputType);

        PlanOptions planOptions = PlanOptions.DEFAULT;
        if (o.split().isPresent()) {
            planOptions = planOptions.withSplit(new GgufSplit.Options(o.split().get(), false));
        }
        Optional<ImportanceMatrix> imatrix = Optional.empty();
        if (imatrixFile.isPresent()) {
            Path file = imatrixFile.get();
            ImatrixData data = ImatrixFiles.read(HadoopFileSystems.of(file, conf), file);
            ImportanceMatrix matrix = data.importance();
            imatrix = Optional.of(matrix);
            planOptions = planOptions.withImatrix(ImatrixProvenance.of(o.imatrix().get(), data, matrix));
        }
        ModelPlan modelPlan = ModelPlan.plan(input, o.variants(), planOptions);

        Fp8BlockScaling scaling = model.mapping().fp8BlockScaling();
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(fs, dir, scaling)) {
            model.mapping().validate(checkpoint);
            QuantizePlan plan = QuantizePlan.build(modelPlan, model.mapping().tensors(), inputType, imatrix, o.unitBytes(),
                    new SourceRanges(fs, checkpoint));
            plan.coverage().ifPresent(ImportanceCoverage::requireUsable);
            RunManifest manifest = new RunManifest(o.manifestParameters(dir.toString(), imatrixFile.map(Path::toString)),
                    plan.fingerprint(checkpoint), plan.sourceFiles(checkpoint));
            return new Planned(plan, manifest, dir, out, scaling);
        }
    }
}
