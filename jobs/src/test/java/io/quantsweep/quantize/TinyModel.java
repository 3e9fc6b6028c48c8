package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.OutputTensor;
import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.arch.deepseek.DeepseekV3Generator;
import io.quantsweep.arch.deepseek.DeepseekV3Preset;
import io.quantsweep.convert.CheckpointConverter;
import io.quantsweep.format.gguf.GgufReader;
import io.quantsweep.format.gguf.GgufSplitSet;
import io.quantsweep.format.gguf.GgufTensorInfo;
import io.quantsweep.format.imatrix.ImatrixData;
import io.quantsweep.format.imatrix.ImatrixFiles;
import io.quantsweep.format.imatrix.ImatrixFormat;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.imatrix.ImportanceMatrix;
import io.quantsweep.quant.imatrix.TensorImportance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.hadoop.fs.FileSystem;

/**
 * The generated tiny DeepSeek-V3 model of the quantize tests, its unquantized F32 and BF16 GGUFs
 * ({@link CheckpointConverter}, the files llama-quantize would start from), an importance matrix for
 * some of its tensors, and the reference: each tensor of a variant computed by direct codec calls on
 * the converted file's values, slice by slice with each slice's importance vector.
 */
final class TinyModel {
    static final FileSystem FS = RealModelFiles.fs();

    final Path model;
    final Path f32;
    final Path bf16;
    final Path imatrix;

    private TinyModel(Path model, Path f32, Path bf16, Path imatrix) {
        this.model = model;
        this.f32 = f32;
        this.bf16 = bf16;
        this.imatrix = imatrix;
    }

    /** Generates only the checkpoint (seed 7) into {@code dir/DeepSeek-V3-tiny}. */
    static Path checkpoint(Path dir) throws IOException {
        Path model = dir.resolve("DeepSeek-V3-tiny");
        DeepseekV3Generator.generate(FS, RealModelFiles.hadoop(model), DeepseekV3Preset.TINY, 7, Optional.empty());
        return model;
    }

    /** Generates the model (seed 7) and its files under {@code dir}. */
    static TinyModel create(Path dir) throws IOException {
        Path model = checkpoint(dir);
        Path f32 = dir.resolve("tiny-F32.gguf");
        Path bf16 = dir.resolve("tiny-BF16.gguf");
        CheckpointConverter.convert(FS, RealModelFiles.hadoop(model), f32, GgmlType.F32, MlaLayout.SPLIT);
        CheckpointConverter.convert(FS, RealModelFiles.hadoop(model), bf16, GgmlType.BF16, MlaLayout.SPLIT);
        Path imatrix = dir.resolve("tiny.imatrix.gguf");
        ImatrixFiles.write(imatrix, importance(), ImatrixFormat.GGUF);
        return new TinyModel(model, f32, bf16, imatrix);
    }

    /**
     * Seeded sums for a dense matrix, a per-head {@code attn_k_b} and the stacked experts of layer 1
     * (expert 5 never routed to, so it gets unit weights).
     */
    private static ImatrixData importance() {
        List<ImatrixData.Entry> entries = new ArrayList<>();
        entries.add(entry("blk.0.attn_q_a.weight", 256, new float[] {100}, 1));
        entries.add(entry("blk.1.attn_k_b.weight", 64, new float[] {80}, 4));
        float[] counts = {40, 12, 7, 90, 3, 0, 25, 60};
        entries.add(entry("blk.1.ffn_down_exps.weight", 256, counts, 1));
        entries.add(entry("blk.2.ffn_up_exps.weight", 256, counts, 1));
        return new ImatrixData(List.of("tiny-calibration.txt"), 10, 512, entries);
    }

    /** An entry of {@code counts.length} matrices (or one matrix repeated {@code copies} times for a 3-D dense tensor). */
    private static ImatrixData.Entry entry(String name, int width, float[] counts, int copies) {
        SplittableRandom r = new SplittableRandom(name.hashCode());
        int matrices = counts.length;
        float[] sums = new float[width * copies * matrices];
        for (int i = 0; i < sums.length; i++) {
            float c = counts[(i / (width * copies))];
            sums[i] = c == 0 ? 0 : (float) (c * (0.05 + r.nextDouble() * r.nextDouble() * 4));
        }
        return new ImatrixData.Entry(name, sums, counts);
    }

    ImportanceMatrix importanceMatrix() throws IOException {
        return ImatrixFiles.read(imatrix).importance();
    }

    /** The converted file llama-quantize reads for a source precision. */
    Path converted(SourcePrecision precision) {
        return precision == SourcePrecision.F32 ? f32 : bf16;
    }

    /**
     * The bytes of tensor {@code name} in {@code type} as llama-quantize makes them from
     * {@code converted}: the converted values, quantized slice by slice ({@code ne[2]} slices of
     * {@code ne[1]} rows) with each slice's importance vector.
     */
    static byte[] reference(GgufReader converted, String name, GgmlType type, Optional<ImportanceMatrix> imatrix)
            throws IOException {
        GgufTensorInfo info = converted.tensor(name);
        long[] ne = info.ne();
        int n = Math.toIntExact(info.spec().elementCount());
        float[] x = Codecs.dequantize(info.type(), converted.readTensor(name), n);
        if (info.type() == type) {
            return converted.readTensor(name);
        }
        int cols = (int) ne[0];
        int slices = ne.length >= 3 ? (int) ne[2] : 1;
        TensorImportance importance = imatrix.map(m -> m.forTensor(name, cols, slices)).orElse(null);
        int per = n / slices;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int s = 0; s < slices; s++) {
            float[] w = importance == null ? null : importance.slice(s);
            out.writeBytes(Codecs.quantize(type, Arrays.copyOfRange(x, s * per, (s + 1) * per), cols, w));
        }
        return out.toByteArray();
    }

    /**
     * Asserts that every tensor of a variant's files (one file or gguf-split shards) equals the
     * reference, and returns how many tensors were compared.
     */
    static int assertEqualsReference(List<Path> files, Path converted, Optional<ImportanceMatrix> imatrix, List<OutputTensor> tensors)
            throws IOException {
        int compared = 0;
        try (GgufReader source = GgufReader.open(converted); GgufSplitSet set = GgufSplitSet.open(files.get(0))) {
            assertEquals(files.size(), set.shards().size());
            assertEquals(tensors.size(), set.tensors().size());
            for (GgufTensorInfo t : set.tensors()) {
                byte[] expected = reference(source, t.name(), t.type(), imatrix);
                assertArrayEquals(expected, set.readTensor(t.name()), () -> t.name() + " in " + t.type());
                compared++;
            }
        }
        return compared;
    }

    static byte[] bytes(Path file) throws IOException {
        return Files.readAllBytes(file);
    }
}
