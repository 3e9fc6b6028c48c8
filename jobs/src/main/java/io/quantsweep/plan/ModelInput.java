package io.quantsweep.plan;

import static io.quantsweep.arch.ModelMappingException.Reason.MISSING_KEY;
import static io.quantsweep.arch.ModelMappingException.Reason.MISSING_TENSOR;

import io.quantsweep.arch.Architecture;
import io.quantsweep.arch.Architectures;
import io.quantsweep.arch.HfConfig;
import io.quantsweep.arch.HfTokenizer;
import io.quantsweep.arch.JsonFile;
import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.ModelMapping;
import io.quantsweep.arch.ModelMappingException;
import io.quantsweep.arch.OutputTensor;
import io.quantsweep.arch.SourceSlice;
import io.quantsweep.convert.CheckpointConverter;
import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.safetensors.SafetensorsIndex;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.recipe.ModelFacts;
import java.io.IOException;
import java.util.Objects;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The GGUF llama-quantize would read, as far as a plan needs it: the converted file's KVs and its
 * tensors, known from {@code config.json} (and the tokenizer files when present) without any weight.
 *
 * <p>The converted file is QuantSweep's baseline: every tensor in {@link #inputType} (BF16, what
 * llama.cpp's converter picks for DeepSeek's FP8/BF16 checkpoints) except the always-F32 ones, and
 * the converter's KVs ({@link CheckpointConverter#metadata}), whose {@code general.file_type} is
 * that of the input type.
 *
 * <p>Without {@code tokenizer.json} the KVs lack the {@code tokenizer.*} keys, and
 * {@link #estimatedTokenizerBytes} stands in for their size in file-size figures ({@link
 * #TOKENIZER_BYTES_PER_TOKEN} per vocabulary entry). Such an input can be planned but not written.
 *
 * @param name the model's name: {@code general.name} and the stem of the output file names
 * @param mapping config → GGUF tensors and architecture KVs
 * @param inputType the type of every not-always-F32 tensor of the converted file
 * @param metadata the converted file's KVs, in file order
 * @param estimatedTokenizerBytes 0 when {@code metadata} is complete, else the estimated size of the
 *     missing {@code tokenizer.*} KVs
 */
public record ModelInput(String name, ModelMapping mapping, GgmlType inputType, GgufMetadata metadata,
                         long estimatedTokenizerBytes) {

    /** The converter's type for DeepSeek checkpoints ({@code --outtype auto}). */
    public static final GgmlType DEFAULT_INPUT_TYPE = GgmlType.BF16;

    /**
     * Bytes of {@code tokenizer.*} KVs per vocabulary entry when there is no tokenizer to measure:
     * DeepSeek-V3's real keys (129,280 tokens and token types, 127,741 merges, the special ids and
     * its chat template) take about 5.23 MB, 40.5 bytes per entry. A byte-level BPE tokenizer has about
     * one merge per token, so the ratio carries over to similar tokenizers; it is an estimate, and the
     * plan says so ({@link #exact()}).
     */
    public static final double TOKENIZER_BYTES_PER_TOKEN = 40.5;

    public ModelInput {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(inputType, "inputType");
        metadata = new GgufMetadata(metadata);
        if (estimatedTokenizerBytes < 0) {
            throw new IllegalArgumentException("estimated tokenizer bytes " + estimatedTokenizerBytes + " < 0");
        }
    }

    /** The KVs (a copy). */
    @Override
    public GgufMetadata metadata() {
        return new GgufMetadata(metadata);
    }

    /** True when the KVs are the converted file's exactly (the tokenizer was read). */
    public boolean exact() {
        return estimatedTokenizerBytes == 0;
    }

    /** A model loaded with its tokenizer, converted to {@code inputType}: exact. */
    public static ModelInput of(CheckpointConverter.Model model, GgmlType inputType) {
        return new ModelInput(model.name(), model.mapping(), inputType, CheckpointConverter.metadata(model, inputType), 0);
    }

    /**
     * Reads a model from a directory (or its {@code config.json}): the config, the tokenizer when
     * {@code tokenizer.json} is there, and {@code model.safetensors.index.json} when it is there, whose
     * tensor names must then include every tensor the mapping reads.
     *
     * @throws ModelMappingException for a config the mapping refuses or an index that lacks a tensor
     */
    public static ModelInput read(FileSystem fs, Path dirOrConfig, MlaLayout layout) throws IOException {
        boolean isDir = fs.getFileStatus(dirOrConfig).isDirectory();
        Path dir = isDir ? dirOrConfig : dirOrConfig.getParent();
        Path configFile = isDir ? new Path(dir, HfConfig.FILE_NAME) : dirOrConfig;
        HfConfig config = HfConfig.of(configFile.toString(), JsonFile.read(fs, configFile));
        Architecture arch = Architectures.of(config);
        ModelMapping mapping = arch.map(config, layout);
        Path index = new Path(dir, SafetensorsIndex.FILE_NAME);
        if (fs.exists(index)) {
            requireSources(mapping, SafetensorsIndex.read(fs, index), index);
        }
        String name = CheckpointConverter.directoryName(dir);
        if (fs.exists(new Path(dir, HfTokenizer.TOKENIZER_FILE))) {
            return of(new CheckpointConverter.Model(arch, mapping, HfTokenizer.read(fs, dir), name), DEFAULT_INPUT_TYPE);
        }
        GgufMetadata md = CheckpointConverter.metadata(arch, mapping, name, new GgufMetadata(), DEFAULT_INPUT_TYPE);
        int vocab = config.requireInt("vocab_size");
        return new ModelInput(name, mapping, DEFAULT_INPUT_TYPE, md, Math.round(vocab * TOKENIZER_BYTES_PER_TOKEN));
    }

    /** The facts llama.cpp's mixture rules read, from the architecture KVs. */
    public ModelFacts facts() {
        String arch = metadata.get("general.architecture").map(GgufValue::asString)
                .orElseThrow(() -> new ModelMappingException(MISSING_KEY, name + ": no general.architecture"));
        return ModelFacts.of(intKey(arch + ".block_count"), metadata.contains(arch + ".expert_count")
                ? intKey(arch + ".expert_count") : 0, intKey(arch + ".attention.head_count"),
                intKey(arch + ".attention.head_count_kv"));
    }

    private int intKey(String key) {
        return Math.toIntExact(metadata.get(key)
                .orElseThrow(() -> new ModelMappingException(MISSING_KEY, name + ": the mapping gives no " + key))
                .asLong());
    }

    /** The type a tensor has in the converted file. */
    public GgmlType typeOf(OutputTensor t) {
        return t.alwaysF32() ? GgmlType.F32 : inputType;
    }

    private static void requireSources(ModelMapping mapping, SafetensorsIndex index, Path file) {
        for (OutputTensor t : mapping.tensors()) {
            for (SourceSlice s : t.sources()) {
                if (!index.weightMap().containsKey(s.tensor())) {
                    throw new ModelMappingException(MISSING_TENSOR, file + ": no tensor '" + s.tensor()
                            + "', which GGUF tensor '" + t.name() + "' needs (" + mapping.config().source() + " implies it)");
                }
            }
        }
    }
}
