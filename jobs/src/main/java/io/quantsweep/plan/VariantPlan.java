package io.quantsweep.plan;

import io.quantsweep.arch.OutputTensor;
import io.quantsweep.convert.CheckpointConverter;
import io.quantsweep.format.gguf.Gguf;
import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufPlan;
import io.quantsweep.format.gguf.GgufSplit;
import io.quantsweep.format.gguf.GgufTensorInfo;
import io.quantsweep.format.gguf.GgufTensorSpec;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.recipe.Recipe;
import io.quantsweep.quant.recipe.RecipePlan;
import io.quantsweep.quant.recipe.SourceLine;
import io.quantsweep.quant.recipe.RecipeTensor;
import io.quantsweep.quant.recipe.Recipes;
import io.quantsweep.quant.recipe.TensorAssignment;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * One quantized variant of a model, planned before any weight is read: every tensor with its type,
 * the rule that chose it and its place in the output, the output's KVs as llama-quantize writes them,
 * and the layout of each output file.
 *
 * <p>As llama-quantize ({@code llama_model_quantize_impl}, deepseek-v3-gguf.md §3.7, ggml-formats.md §8):
 * <ul>
 *   <li>KVs: the converted file's KVs in order, then {@code general.quantization_version} = 2 and
 *       {@code general.file_type} = the variant's {@link LlamaFileType} (both moved to the end), the
 *       {@code split.*} keys removed, then the {@link ImatrixProvenance} keys when an imatrix is used;</li>
 *   <li>tensors in llama.cpp's order (by {@code blk.N} layer, names outside blocks first, then by name),
 *       each in the type the recipe gives it; data offsets aligned to 32;</li>
 *   <li>files: {@code <model>-<variant>.gguf}, or with {@link PlanOptions#split} gguf-split's shards
 *       {@code <model>-<variant>-0000i-of-0000N.gguf} with their {@code split.*} keys. A variant name
 *       keeps letters, digits, {@code .}, {@code _} and {@code -}; other characters become {@code _}
 *       ({@code pure:Q4_K} → {@code pure_Q4_K}).</li>
 * </ul>
 *
 * <p>The record is {@link Serializable} so that a Spark job can broadcast it; a task needs only its
 * {@link PlannedTensor}s. A plan made without the tokenizer ({@link #exact()} false) carries an
 * estimate of the missing KVs' size in its byte counts and cannot be written.
 *
 * @param model the model's name
 * @param variant the variant's name (the recipe's name)
 * @param base the recipe's base: a mixture or {@code pure:TYPE}
 * @param fileType {@code general.file_type}
 * @param metadata the output KVs, without {@code split.*} keys
 * @param tensors every tensor, in file order (shard by shard)
 * @param fileNames the output file names, one per shard
 * @param shards the layout of each output file
 * @param estimatedTokenizerBytes 0, or the estimated size of the {@code tokenizer.*} KVs the plan lacks
 * @param idleRules the places of the recipe's rules and overrides that decide no tensor of this model
 */
public record VariantPlan(String model, String variant, String base, LlamaFileType fileType, GgufMetadata metadata,
                          List<PlannedTensor> tensors, List<String> fileNames, List<GgufPlan> shards,
                          long estimatedTokenizerBytes, List<String> idleRules) implements Serializable {
    private static final long serialVersionUID = 1L;

    public VariantPlan {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(fileType, "fileType");
        metadata = new GgufMetadata(metadata);
        tensors = List.copyOf(tensors);
        fileNames = List.copyOf(fileNames);
        shards = List.copyOf(shards);
        idleRules = List.copyOf(idleRules);
        if (shards.isEmpty() || fileNames.size() != shards.size()) {
            throw new IllegalArgumentException("variant %s: %d file names for %d shards"
                    .formatted(variant, fileNames.size(), shards.size()));
        }
        if (estimatedTokenizerBytes < 0) {
            throw new IllegalArgumentException("estimated tokenizer bytes " + estimatedTokenizerBytes + " < 0");
        }
    }

    /** Plans the variant {@code name} ({@link Recipes#resolve}: a mixture, built-in recipe, pure type or recipe file). */
    public static VariantPlan plan(ModelInput input, String name, PlanOptions options) {
        return plan(input, Recipes.resolve(name), options);
    }

    /**
     * Plans {@code recipe} on {@code input}.
     *
     * @throws io.quantsweep.quant.recipe.RecipeException when the recipe cannot type a tensor
     * @throws IllegalArgumentException when a tensor does not fit a shard of the split limit
     */
    public static VariantPlan plan(ModelInput input, Recipe recipe, PlanOptions options) {
        Map<String, OutputTensor> byName = new HashMap<>();
        List<RecipeTensor> recipeTensors = new ArrayList<>();
        for (OutputTensor t : input.mapping().tensors()) {
            byName.put(t.name(), t);
            recipeTensors.add(new RecipeTensor(t.name(), input.typeOf(t), t.ne()));
        }
        RecipePlan typed = recipe.plan(recipeTensors, input.facts(), options.imatrix().isPresent());
        LlamaFileType fileType = LlamaFileType.of(recipe.base());

        GgufMetadata md = input.metadata();
        md.put("general.quantization_version", GgufValue.u32(CheckpointConverter.QUANTIZATION_VERSION));
        md.put("general.file_type", GgufValue.u32(fileType.id()));
        md.remove(Gguf.KEY_SPLIT_NO);
        md.remove(Gguf.KEY_SPLIT_COUNT);
        md.remove(Gguf.KEY_SPLIT_TENSORS_COUNT);
        options.imatrix().ifPresent(i -> i.appendTo(md));

        List<GgufTensorSpec> specs = new ArrayList<>();
        Map<String, TensorAssignment> assignments = new HashMap<>();
        for (TensorAssignment a : typed.tensors()) {
            specs.add(new GgufTensorSpec(a.name(), a.type(), a.tensor().ne()));
            assignments.put(a.name(), a);
        }
        List<GgufPlan> shards = options.split().isPresent()
                ? GgufSplit.plan(md, specs, options.split().get())
                : List.of(GgufPlan.of(md, specs));

        List<PlannedTensor> planned = new ArrayList<>(specs.size());
        for (int s = 0; s < shards.size(); s++) {
            GgufPlan shard = shards.get(s);
            for (GgufTensorInfo info : shard.tensors()) {
                TensorAssignment a = assignments.get(info.name());
                planned.add(new PlannedTensor(byName.get(info.name()), a.type(), a.chosen(), a.decision(), a.decidedBy(),
                        s, info.offset(), shard.dataOffset() + info.offset()));
            }
        }
        return new VariantPlan(input.name(), recipe.name(), recipe.base().label(), fileType, md, planned,
                fileNames(input.name(), recipe.name(), shards.size(), options.split().isPresent()), shards,
                input.estimatedTokenizerBytes(), typed.idleRules().stream().map(SourceLine::toString).toList());
    }

    /**
     * {@code <model>-<variant>.gguf}, or gguf-split's shard names when split, both names made {@link #safe}:
     * a model folder named {@code tiny:fp8} would make a Hadoop path with a scheme.
     */
    static List<String> fileNames(String model, String variant, int count, boolean split) {
        String stem = safe(model) + "-" + safe(variant);
        if (!split) {
            return List.of(stem + ".gguf");
        }
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(GgufSplit.shardPath(Path.of(stem), i, count).getFileName().toString());
        }
        return names;
    }

    /**
     * {@code name} with every character but letters, digits and {@code . _ -} as {@code _}: a name that any
     * file system takes.
     */
    public static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** The output KVs, without {@code split.*} keys (a copy). */
    @Override
    public GgufMetadata metadata() {
        return new GgufMetadata(metadata);
    }

    /** True when the KVs are complete (the tokenizer was read), so the plan can be written. */
    public boolean exact() {
        return estimatedTokenizerBytes == 0;
    }

    /** The tensor called {@code name}. */
    public PlannedTensor tensor(String name) {
        for (PlannedTensor t : tensors) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new NoSuchElementException("variant " + variant + " has no tensor '" + name + "'");
    }

    /** Bytes of all tensor data, without padding (what llama-quantize reports as the model size). */
    public long tensorBytes() {
        long sum = 0;
        for (PlannedTensor t : tensors) {
            sum = Math.addExact(sum, t.bytes());
        }
        return sum;
    }

    /** Elements of all tensors. */
    public long parameterCount() {
        long sum = 0;
        for (PlannedTensor t : tensors) {
            sum = Math.addExact(sum, t.elements());
        }
        return sum;
    }

    /** Bits per weight as llama-quantize prints it: tensor bytes × 8 / parameters. */
    public double bitsPerWeight() {
        return tensorBytes() * 8.0 / parameterCount();
    }

    /** Bytes before the data sections of all files (headers with padding), the tokenizer estimate included. */
    public long headerBytes() {
        long sum = estimatedTokenizerBytes;
        for (GgufPlan p : shards) {
            sum = Math.addExact(sum, p.dataOffset());
        }
        return sum;
    }

    /** Bytes of all output files, the tokenizer estimate included. */
    public long fileBytes() {
        long sum = estimatedTokenizerBytes;
        for (GgufPlan p : shards) {
            sum = Math.addExact(sum, p.fileSize());
        }
        return sum;
    }

    /** Tensors per type, in {@link GgmlType} order. */
    public Map<GgmlType, Integer> histogram() {
        Map<GgmlType, Integer> counts = new EnumMap<>(GgmlType.class);
        for (PlannedTensor t : tensors) {
            counts.merge(t.type(), 1, Integer::sum);
        }
        return Collections.unmodifiableMap(counts);
    }
}
