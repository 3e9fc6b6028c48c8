package io.quantsweep.convert;

import io.quantsweep.arch.Architecture;
import io.quantsweep.arch.Architectures;
import io.quantsweep.arch.HfConfig;
import io.quantsweep.arch.HfTokenizer;
import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.ModelMapping;
import io.quantsweep.arch.NonFiniteWeightException;
import io.quantsweep.arch.OutputTensor;
import io.quantsweep.arch.TensorRows;
import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufPlan;
import io.quantsweep.format.gguf.GgufTensorInfo;
import io.quantsweep.format.gguf.GgufTensorSpec;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.gguf.GgufWriter;
import io.quantsweep.format.gguf.TensorData;
import io.quantsweep.format.safetensors.SafetensorsCheckpoint;
import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The unquantized GGUF of a Hugging Face checkpoint (the sweep's baseline variant), written as
 * llama.cpp's converter would: its metadata, its tokenizer, and every tensor in F32, F16 or BF16
 * (norms, router and biases always F32), each value the float32 the converter computes (FP8 weights
 * times their block scale, BF16 widened) rounded to the output type.
 *
 * <p>Tensors are written in llama.cpp's order ({@link OutputTensor#LLAMA_ORDER}, the order
 * llama-quantize writes), not the converter's iteration order: one order for the baseline and every
 * quantized variant, so a quantized file's layout follows from the same plan. Metadata order:
 * {@code general.architecture}, {@code general.type}, {@code general.name},
 * {@code general.size_label}, the architecture's keys, {@code general.file_type}, the tokenizer keys,
 * {@code general.quantization_version}.
 *
 * <p>The plan ({@link GgufPlan}) fixes every offset before any tensor is read; each tensor is then
 * streamed slab by slab ({@link #SLAB_FLOATS} floats at most), so memory stays bounded whatever the
 * model's size.
 */
public final class CheckpointConverter {
    /** Largest slab read and encoded at once: 4 Mi floats (16 MiB), at least one row. */
    public static final int SLAB_FLOATS = 1 << 22;
    /** ggml's {@code GGML_QNT_VERSION}, written as {@code general.quantization_version}. */
    public static final int QUANTIZATION_VERSION = 2;

    private CheckpointConverter() {
    }

    /** What {@link #convert} needs of a model directory, read and checked before anything is written. */
    public record Model(Architecture architecture, ModelMapping mapping, HfTokenizer tokenizer, String name) {
    }

    /** Reads {@code config.json} and the tokenizer of {@code dir} and maps them to GGUF. */
    public static Model load(FileSystem fs, Path dir, MlaLayout layout) throws IOException {
        HfConfig config = HfConfig.read(fs, dir);
        Architecture arch = Architectures.of(config);
        return new Model(arch, arch.map(config, layout), HfTokenizer.read(fs, dir), directoryName(dir));
    }

    /** The last component of {@code dir}, also when its URI ends in a slash (as a directory's {@code toUri()} does). */
    public static String directoryName(Path dir) {
        String path = dir.toUri().getPath().replaceAll("/+$", "");
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** llama.cpp's {@code general.file_type} of a whole-model output type. */
    public static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("convert writes F32, F16 or BF16, not " + type
                    + "; quantized files come from the quantize job");
        };
    }

    /** The full metadata of the converted file. */
    public static GgufMetadata metadata(Model model, GgmlType type) {
        ModelMapping m = model.mapping();
        int vocabSize = m.config().requireInt("vocab_size");
        return metadata(model.architecture(), m, model.name(),
                model.tokenizer().metadata(model.architecture().tokenizerPre(), vocabSize, m.config()), type);
    }

    /**
     * The full metadata of the converted file with the given {@code tokenizer.*} keys (empty for a
     * planner that has no tokenizer files).
     */
    public static GgufMetadata metadata(Architecture architecture, ModelMapping m, String name, GgufMetadata tokenizer,
            GgmlType type) {
        GgufMetadata md = new GgufMetadata();
        md.put("general.architecture", GgufValue.string(architecture.ggufName()));
        md.put("general.type", GgufValue.string("model"));
        md.put("general.name", GgufValue.string(name));
        md.put("general.size_label", GgufValue.string(m.sizeLabel()));
        m.metadata().asMap().forEach((k, v) -> {
            if (!k.equals("general.architecture")) {
                md.put(k, v);
            }
        });
        md.put("general.file_type", GgufValue.u32(fileType(type)));
        tokenizer.asMap().forEach(md::put);
        md.put("general.quantization_version", GgufValue.u32(QUANTIZATION_VERSION));
        return md;
    }

    /** The layout of the converted file: metadata and every tensor in {@code type} (or F32). */
    public static GgufPlan plan(Model model, GgmlType type) {
        fileType(type);
        List<GgufTensorSpec> specs = new ArrayList<>();
        for (OutputTensor t : model.mapping().tensors()) {
            specs.add(t.spec(type));
        }
        return GgufPlan.of(metadata(model, type), specs);
    }

    /**
     * Converts the checkpoint in {@code dir} into {@code out} (written through a temporary file and
     * renamed when complete). The checkpoint is validated against the mapping first.
     *
     * @return the plan the file follows
     */
    public static GgufPlan convert(FileSystem fs, Path dir, java.nio.file.Path out, GgmlType type, MlaLayout layout)
            throws IOException {
        Model model = load(fs, dir, layout);
        GgufPlan plan = plan(model, type);
        Map<String, OutputTensor> byName = new HashMap<>();
        model.mapping().tensors().forEach(t -> byName.put(t.name(), t));
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(fs, dir, model.mapping().fp8BlockScaling())) {
            model.mapping().validate(checkpoint);
            GgufWriter.write(out, plan, info -> tensorData(checkpoint, byName.get(info.name()), info));
        }
        return plan;
    }

    /** The bytes of {@code t} in the type {@code info} gives, read and encoded slab by slab as they are written. */
    public static TensorData tensorData(SafetensorsCheckpoint checkpoint, OutputTensor t, GgufTensorInfo info) {
        return tensorData(checkpoint, t, info, SLAB_FLOATS);
    }

    /** {@link #tensorData(SafetensorsCheckpoint, OutputTensor, GgufTensorInfo)} with slabs of at most {@code slabFloats} (at least one row). */
    static TensorData tensorData(SafetensorsCheckpoint checkpoint, OutputTensor t, GgufTensorInfo info, int slabFloats) {
        GgmlType type = info.type();
        int cols = Math.toIntExact(t.rowLength());
        long rowsPerSlab = Math.max(1, slabFloats / cols);
        return new TensorData() {
            @Override
            public long size() {
                return info.byteSize();
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                Codec codec = Codecs.of(type);
                for (long r0 = 0; r0 < t.rowCount(); r0 += rowsPerSlab) {
                    long r1 = Math.min(t.rowCount(), r0 + rowsPerSlab);
                    float[] rows = TensorRows.read(checkpoint, t, r0, r1);
                    // the one check the codec needs (whole rows the read guarantees): named here, where the tensor is known
                    int bad = Codecs.firstNonFinite(rows, 0, rows.length);
                    if (bad >= 0) {
                        throw new NonFiniteWeightException(checkpoint, t, r0 + bad / cols, bad % cols, rows[bad],
                                NonFiniteWeightException.MUST_BE_FINITE);
                    }
                    int n = (int) (r1 - r0);
                    byte[] bytes = new byte[Math.toIntExact(Math.multiplyExact((long) n, type.bytesFor(cols)))];
                    codec.quantizeRows(rows, 0, n, cols, null, bytes, 0);
                    out.write(bytes);
                }
            }
        };
    }
}
