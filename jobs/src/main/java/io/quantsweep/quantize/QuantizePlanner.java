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
 * ({@link io.quantsweep.quant.recipe.RecipeException}), an importance entry of the wrong size.
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
        Optional<String> imatrixPath = Optional.empty();
        if (o.imatrix().isPresent()) {
            Path file = new Path(o.imatrix().get());
            FileSystem ifs = HadoopFileSystems.of(file, conf);
            ImatrixData data = ImatrixFiles.read(ifs, file);
            imatrixPath = Optional.of(ifs.makeQualified(file).toString());
            ImportanceMatrix matrix;
            try {
                matrix = data.importance();
            } catch (ImportanceMatrixException e) {
                throw e.in(imatrixPath.get());
            }
            imatrix = Optional.of(matrix);
            planOptions = planOptions.withImatrix(ImatrixProvenance.of(o.imatrix().get(), data, matrix));
        }
        ModelPlan modelPlan = ModelPlan.plan(input, o.variants(), planOptions);

        Fp8BlockScaling scaling = model.mapping().fp8BlockScaling();
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(fs, dir, scaling)) {
            model.mapping().validate(checkpoint);
            QuantizePlan plan;
            try {
                plan = QuantizePlan.build(modelPlan, model.mapping().tensors(), inputType, imatrix, o.unitBytes(),
                        new SourceRanges(fs, checkpoint));
            } catch (ImportanceMatrixException e) {
                throw imatrixPath.map(e::in).orElse(e);
            }
            RunManifest manifest = new RunManifest(o.manifestParameters(dir.toString(), imatrixPath), plan.fingerprint(checkpoint));
            return new Planned(plan, manifest, dir, out, scaling);
        }
    }
}
