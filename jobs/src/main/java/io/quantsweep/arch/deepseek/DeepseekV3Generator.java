package io.quantsweep.arch.deepseek;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.arch.HfConfig;
import io.quantsweep.arch.HfTokenizer;
import io.quantsweep.arch.JsonFile;
import io.quantsweep.format.safetensors.SafetensorsDtype;
import io.quantsweep.format.safetensors.SafetensorsIndex;
import io.quantsweep.format.safetensors.SafetensorsWriter;
import io.quantsweep.io.AtomicOutput;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp8BlockScaling;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a DeepSeek-V3-shaped checkpoint directory with the real layout (spec
 * {@code deepseek-v3-gguf.md} §1): {@code config.json} with every key of the 671B model's config, FP8
 * E4M3 weights with 128×128 F32 {@code weight_scale_inv}, BF16 norms, router and embeddings, the F32
 * {@code e_score_correction_bias}, the multi-token-prediction layer (layer {@code num_hidden_layers},
 * with its own embedding, norms, {@code eh_proj} and head), several {@code model-0000k-of-0000n}
 * shards with {@code model.safetensors.index.json}, and a tokenizer.
 *
 * <p>The same preset and seed give the same bytes. Tensors are produced while each shard is written,
 * so memory holds one 128-row block of one weight at a time, whatever the preset.
 */
public final class DeepseekV3Generator {
    private static final String MODEL_TYPE = "deepseek_v3";

    /** How a generated tensor's values are made. */
    enum Kind { FP8_WEIGHT, FP8_SCALE, BF16_MATRIX, BF16_NORM, F32_BIAS }

    /** One tensor of the generated checkpoint, in file order. */
    record CheckpointTensor(String name, SafetensorsDtype dtype, List<Long> shape, Kind kind) {
        long bytes() {
            long n = dtype.byteSize();
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        int rows() {
            return Math.toIntExact(shape.get(0));
        }

        int cols() {
            return Math.toIntExact(shape.get(shape.size() - 1));
        }
    }

    private DeepseekV3Generator() {
    }

    /**
     * Writes the preset's model into {@code dir} (created if needed).
     *
     * @param tokenizerDir a directory holding {@code tokenizer.json} (and optionally
     *     {@code tokenizer_config.json}) to copy instead of the built-in small vocabulary; the config's
     *     {@code vocab_size} is then the tokenizer's largest id + 1 rounded up to a multiple of 256
     * @return the files written, relative to {@code dir}, in writing order
     */
    public static List<String> generate(FileSystem fs, Path dir, DeepseekV3Preset preset, long seed,
            Optional<Path> tokenizerDir) throws IOException {
        DeepseekV3Config config = tokenizerDir.isPresent()
                ? preset.config((HfTokenizer.read(fs, tokenizerDir.get()).maxTokenId() + 1 + 255) / 256 * 256)
                : preset.config();
        // made once the tokenizer is read: one that cannot be leaves no empty folder behind
        fs.mkdirs(dir);
        List<String> written = new ArrayList<>();
        if (tokenizerDir.isPresent()) {
            for (String f : List.of(HfTokenizer.TOKENIZER_FILE, HfTokenizer.CONFIG_FILE)) {
                Path src = new Path(tokenizerDir.get(), f);
                if (fs.exists(src)) {
                    byte[] b = readAll(fs, src);
                    AtomicOutput.write(fs, new Path(dir, f), out -> out.write(b));
                    written.add(f);
                }
            }
        } else {
            int base = config.vocabSize() - 32;
            writeJson(fs, new Path(dir, HfTokenizer.TOKENIZER_FILE), TinyTokenizer.tokenizerJson(base));
            writeJson(fs, new Path(dir, HfTokenizer.CONFIG_FILE), TinyTokenizer.tokenizerConfig());
            written.add(HfTokenizer.TOKENIZER_FILE);
            written.add(HfTokenizer.CONFIG_FILE);
        }
        ObjectNode configJson = configJson(config);
        Fp8BlockScaling blocks = HfConfig.of(HfConfig.FILE_NAME, configJson).fp8BlockScaling();
        written.addAll(writeShards(fs, dir, checkpointTensors(config, blocks), preset.shards(), new SyntheticWeights(seed), blocks));
        writeJson(fs, new Path(dir, HfConfig.FILE_NAME), configJson);
        written.add(HfConfig.FILE_NAME);
        return written;
    }

    /** {@code config.json}: the 671B config's keys, in its order, with {@code c}'s values. */
    public static ObjectNode configJson(DeepseekV3Config c) {
        ObjectNode j = JsonFile.JSON.createObjectNode();
        j.putArray("architectures").add(DeepseekV3.HF_NAME);
        j.put("attention_bias", false);
        j.put("attention_dropout", 0.0);
        ObjectNode autoMap = j.putObject("auto_map");
        autoMap.put("AutoConfig", "configuration_deepseek.DeepseekV3Config");
        autoMap.put("AutoModel", "modeling_deepseek.DeepseekV3Model");
        autoMap.put("AutoModelForCausalLM", "modeling_deepseek.DeepseekV3ForCausalLM");
        j.put("aux_loss_alpha", 0.001);
        j.put("bos_token_id", 0);
        j.put("eos_token_id", 1);
        j.put("ep_size", 1);
        j.put("first_k_dense_replace", c.firstKDenseReplace());
        j.put("hidden_act", "silu");
        j.put("hidden_size", c.hiddenSize());
        j.put("initializer_range", 0.02);
        j.put("intermediate_size", c.intermediateSize());
        j.put("kv_lora_rank", c.kvLoraRank());
        j.put("max_position_embeddings", c.maxPositionEmbeddings());
        j.put("model_type", MODEL_TYPE);
        j.put("moe_intermediate_size", c.moeIntermediateSize());
        j.put("moe_layer_freq", 1);
        j.put("n_group", c.nGroup());
        j.put("n_routed_experts", c.nRoutedExperts());
        j.put("n_shared_experts", c.nSharedExperts());
        j.put("norm_topk_prob", c.normTopkProb());
        j.put("num_attention_heads", c.numAttentionHeads());
        j.put("num_experts_per_tok", c.numExpertsPerTok());
        j.put("num_hidden_layers", c.numHiddenLayers());
        j.put("num_key_value_heads", c.numKeyValueHeads());
        j.put("num_nextn_predict_layers", c.numNextnPredictLayers());
        j.put("pretraining_tp", 1);
        j.put("q_lora_rank", c.qLoraRank());
        j.put("qk_nope_head_dim", c.qkNopeHeadDim());
        j.put("qk_rope_head_dim", c.qkRopeHeadDim());
        ObjectNode q = j.putObject("quantization_config");
        q.put("activation_scheme", "dynamic");
        q.put("fmt", "e4m3");
        q.put("quant_method", "fp8");
        q.putArray("weight_block_size").add(Fp8BlockScaling.DEEPSEEK_V3.blockRows()).add(Fp8BlockScaling.DEEPSEEK_V3.blockCols());
        j.put("rms_norm_eps", c.rmsNormEps());
        c.ropeScaling().ifPresentOrElse(y -> {
            ObjectNode r = j.putObject("rope_scaling");
            y.betaFast().ifPresent(b -> putNumber(r, "beta_fast", b));
            y.betaSlow().ifPresent(b -> putNumber(r, "beta_slow", b));
            putNumber(r, "factor", y.factor());
            r.put("mscale", y.mscale());
            r.put("mscale_all_dim", y.mscaleAllDim());
            r.put("original_max_position_embeddings", y.originalMaxPositionEmbeddings());
            r.put("type", "yarn");
        }, () -> j.putNull("rope_scaling"));
        putNumber(j, "rope_theta", c.ropeTheta());
        putNumber(j, "routed_scaling_factor", c.routedScalingFactor());
        j.put("scoring_func", c.scoringFunc().configName());
        j.put("seq_aux", true);
        j.put("tie_word_embeddings", c.tieWordEmbeddings());
        j.put("topk_group", c.topkGroup());
        j.put("topk_method", c.topkMethod());
        j.put("torch_dtype", "bfloat16");
        j.put("transformers_version", "4.33.1");
        j.put("use_cache", true);
        j.put("v_head_dim", c.vHeadDim());
        j.put("vocab_size", c.vocabSize());
        return j;
    }

    /** Integral values as JSON integers, as the real config writes {@code "rope_theta": 10000}. */
    private static void putNumber(ObjectNode o, String key, double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            o.put(key, (long) v);
        } else {
            o.put(key, v);
        }
    }

    /**
     * The checkpoint's tensors in file order (spec §1.3): embeddings, each layer (the MTP layers last,
     * with their extra tensors), final norm, head; each FP8 weight followed by its scale.
     */
    static List<CheckpointTensor> checkpointTensors(DeepseekV3Config c, Fp8BlockScaling blocks) {
        long h = c.hiddenSize();
        long vocab = c.vocabSize();
        List<CheckpointTensor> out = new ArrayList<>();
        matrix(out, "model.embed_tokens.weight", vocab, h);
        for (int i = 0; i < c.numHiddenLayers() + c.numNextnPredictLayers(); i++) {
            String p = "model.layers." + i + ".";
            boolean mtp = i >= c.numHiddenLayers();
            if (mtp) {
                matrix(out, p + "embed_tokens.weight", vocab, h);
                norm(out, p + "enorm.weight", h);
                norm(out, p + "hnorm.weight", h);
                fp8(out, p + "eh_proj.weight", h, 2 * h, blocks);
            }
            long heads = c.numAttentionHeads();
            norm(out, p + "input_layernorm.weight", h);
            fp8(out, p + "self_attn.q_a_proj.weight", c.qLoraRank(), h, blocks);
            norm(out, p + "self_attn.q_a_layernorm.weight", c.qLoraRank());
            fp8(out, p + "self_attn.q_b_proj.weight", heads * c.qkHeadDim(), c.qLoraRank(), blocks);
            fp8(out, p + "self_attn.kv_a_proj_with_mqa.weight", c.kvLoraRank() + c.qkRopeHeadDim(), h, blocks);
            norm(out, p + "self_attn.kv_a_layernorm.weight", c.kvLoraRank());
            fp8(out, p + "self_attn.kv_b_proj.weight", heads * (c.qkNopeHeadDim() + c.vHeadDim()), c.kvLoraRank(), blocks);
            fp8(out, p + "self_attn.o_proj.weight", h, heads * c.vHeadDim(), blocks);
            norm(out, p + "post_attention_layernorm.weight", h);
            if (!c.isMoeLayer(i)) {
                fp8(out, p + "mlp.gate_proj.weight", c.intermediateSize(), h, blocks);
                fp8(out, p + "mlp.up_proj.weight", c.intermediateSize(), h, blocks);
                fp8(out, p + "mlp.down_proj.weight", h, c.intermediateSize(), blocks);
            } else {
                long ff = c.moeIntermediateSize();
                matrix(out, p + "mlp.gate.weight", c.nRoutedExperts(), h);
                if (c.hasScoreCorrectionBias()) {
                    out.add(new CheckpointTensor(p + "mlp.gate.e_score_correction_bias", SafetensorsDtype.F32,
                            List.of((long) c.nRoutedExperts()), Kind.F32_BIAS));
                }
                for (int e = 0; e < c.nRoutedExperts(); e++) {
                    String x = p + "mlp.experts." + e + ".";
                    fp8(out, x + "gate_proj.weight", ff, h, blocks);
                    fp8(out, x + "up_proj.weight", ff, h, blocks);
                    fp8(out, x + "down_proj.weight", h, ff, blocks);
                }
                if (c.nSharedExperts() > 0) {
                    long shared = ff * c.nSharedExperts();
                    fp8(out, p + "mlp.shared_experts.gate_proj.weight", shared, h, blocks);
                    fp8(out, p + "mlp.shared_experts.up_proj.weight", shared, h, blocks);
                    fp8(out, p + "mlp.shared_experts.down_proj.weight", h, shared, blocks);
                }
            }
            if (mtp) {
                norm(out, p + "shared_head.norm.weight", h);
                matrix(out, p + "shared_head.head.weight", vocab, h);
            }
        }
        norm(out, "model.norm.weight", h);
        if (!c.tieWordEmbeddings()) {
            matrix(out, "lm_head.weight", vocab, h);
        }
        return out;
    }

    private static void fp8(List<CheckpointTensor> out, String name, long rows, long cols, Fp8BlockScaling blocks) {
        out.add(new CheckpointTensor(name, SafetensorsDtype.F8_E4M3, List.of(rows, cols), Kind.FP8_WEIGHT));
        out.add(new CheckpointTensor(Fp8BlockScaling.scaleName(name), SafetensorsDtype.F32, blocks.scaleShape(rows, cols),
                Kind.FP8_SCALE));
    }

    private static void matrix(List<CheckpointTensor> out, String name, long rows, long cols) {
        out.add(new CheckpointTensor(name, SafetensorsDtype.BF16, List.of(rows, cols), Kind.BF16_MATRIX));
    }

    private static void norm(List<CheckpointTensor> out, String name, long n) {
        out.add(new CheckpointTensor(name, SafetensorsDtype.BF16, List.of(n), Kind.BF16_NORM));
    }

    /**
     * Splits the tensors into about equal shards in file order (a weight and its scale stay together),
     * writes them and the index, and returns the file names.
     */
    private static List<String> writeShards(FileSystem fs, Path dir, List<CheckpointTensor> tensors, int shards,
            SyntheticWeights weights, Fp8BlockScaling blocks) throws IOException {
        long total = 0;
        for (CheckpointTensor t : tensors) {
            total += t.bytes();
        }
        List<List<CheckpointTensor>> parts = new ArrayList<>();
        long before = 0;
        for (CheckpointTensor t : tensors) {
            int shard = (int) Math.min(shards - 1, before * shards / total);
            if (t.kind() != Kind.FP8_SCALE && shard >= parts.size()) {
                parts.add(new ArrayList<>());
            }
            parts.get(parts.size() - 1).add(t);
            before += t.bytes();
        }
        Map<String, float[]> scales = new HashMap<>();
        Map<String, String> weightMap = new TreeMap<>();
        List<String> names = new ArrayList<>();
        for (int s = 0; s < parts.size(); s++) {
            String file = "model-%05d-of-%05d.safetensors".formatted(s + 1, parts.size());
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
            for (CheckpointTensor t : parts.get(s)) {
                w.add(t.name(), t.dtype(), t.shape(), out -> {
                    switch (t.kind()) {
                        case FP8_WEIGHT -> scales.put(t.name(), weights.fp8Weight(t.name(), t.rows(), t.cols(), blocks, out));
                        case FP8_SCALE -> {
                            String weight = t.name().substring(0, t.name().length() - Fp8BlockScaling.SCALE_SUFFIX.length());
                            out.write(LittleEndian.toBytes(scales.remove(weight)));
                        }
                        case BF16_MATRIX -> weights.bf16Matrix(t.name(), t.rows(), t.cols(), out);
                        case BF16_NORM -> weights.bf16Norm(t.name(), t.cols(), out);
                        case F32_BIAS -> weights.f32Bias(t.name(), t.cols(), out);
                    }
                });
                weightMap.put(t.name(), file);
            }
            w.write(fs, new Path(dir, file));
            names.add(file);
        }
        new SafetensorsIndex(Map.of("total_size", total), weightMap).write(fs, new Path(dir, SafetensorsIndex.FILE_NAME));
        names.add(SafetensorsIndex.FILE_NAME);
        return names;
    }

    private static void writeJson(FileSystem fs, Path file, ObjectNode json) throws IOException {
        byte[] b = JsonFile.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
        AtomicOutput.write(fs, file, out -> out.write(b));
    }

    private static byte[] readAll(FileSystem fs, Path file) throws IOException {
        long n = fs.getFileStatus(file).getLen();
        if (n > JsonFile.MAX_BYTES) {
            throw new IOException(file + ": " + n + " bytes, more than the cap of " + JsonFile.MAX_BYTES);
        }
        byte[] b = new byte[(int) n];
        try (FSDataInputStream in = fs.open(file)) {
            in.readFully(0, b, 0, b.length);
        }
        return b;
    }
}
