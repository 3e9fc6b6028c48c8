package io.quantsweep.arch.deepseek;

import static io.quantsweep.format.gguf.GgufValue.bool;
import static io.quantsweep.format.gguf.GgufValue.f32;
import static io.quantsweep.format.gguf.GgufValue.string;
import static io.quantsweep.format.gguf.GgufValue.u32;

import io.quantsweep.arch.Architecture;
import io.quantsweep.arch.HfConfig;
import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.ModelMapping;
import io.quantsweep.arch.OutputTensor;
import io.quantsweep.arch.SourceSlice;
import io.quantsweep.format.gguf.GgufMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DeepSeek-V3/R1 ({@code DeepseekV3ForCausalLM}) → llama.cpp's {@code deepseek2}, as
 * {@code convert_hf_to_gguf.py}'s {@code DeepseekV2Model} converts it (spec
 * {@code deepseek-v3-gguf.md} §2).
 *
 * <p>Tensors: the HF → GGUF name map is {@link #tensors}. Routed experts are stacked into
 * {@code ffn_{gate,up,down}_exps} in expert order; {@code kv_b_proj} becomes {@code attn_k_b}
 * (per head, the K-nope rows transposed) and {@code attn_v_b} (per head, the V rows) in the
 * {@link MlaLayout#SPLIT} layout, or stays one {@code attn_kv_b} in {@link MlaLayout#LEGACY}; layers
 * at or past {@code num_hidden_layers} (the multi-token-prediction module, layer 61 of the 671B model)
 * are dropped. Norms, the router {@code ffn_gate_inp} and the bias {@code exp_probs_b} are always F32.
 *
 * <p>Metadata: {@link #metadata}, with the converter's encodings (u32 sizes, f32 floats, the gating
 * function as its llama.cpp id, {@code yarn_log_multiplier = 0.1 × mscale_all_dim}).
 */
public final class DeepseekV3 implements Architecture {
    public static final String HF_NAME = "DeepseekV3ForCausalLM";
    public static final String GGUF_NAME = "deepseek2";
    /** llama.cpp's pre-tokenizer name for DeepSeek-V3's tokenizer ({@code LLAMA_VOCAB_PRE_TYPE_DEEPSEEK3_LLM}). */
    public static final String TOKENIZER_PRE = "deepseek-v3";

    private static final Pattern LAYER = Pattern.compile("^model\\.layers\\.(\\d+)\\.");

    @Override
    public String ggufName() {
        return GGUF_NAME;
    }

    @Override
    public String tokenizerPre() {
        return TOKENIZER_PRE;
    }

    @Override
    public ModelMapping map(HfConfig config, MlaLayout layout) {
        DeepseekV3Config c = DeepseekV3Config.from(config);
        return new ModelMapping(config, metadata(c, layout), tensors(c, layout), dropped(c), config.fp8BlockScaling());
    }

    /** Checkpoint tensors of the multi-token-prediction layers ({@code model.layers.N.*}, N ≥ num_hidden_layers). */
    static Predicate<String> dropped(DeepseekV3Config c) {
        return name -> {
            Matcher m = LAYER.matcher(name);
            return m.find() && m.group(1).length() < 10 && Integer.parseInt(m.group(1)) >= c.numHiddenLayers();
        };
    }

    /**
     * {@code general.architecture} and the {@code deepseek2.*} keys, in the order the converter writes
     * them ({@code TextModel} then {@code DeepseekV2Model}; {@code general.file_type}, which the
     * converter writes between the two groups, is left to the writer of the file).
     */
    public static GgufMetadata metadata(DeepseekV3Config c, MlaLayout layout) {
        String a = GGUF_NAME + ".";
        GgufMetadata md = new GgufMetadata();
        md.put("general.architecture", string(GGUF_NAME));
        md.put(a + "block_count", u32(c.numHiddenLayers()));
        md.put(a + "context_length", u32(c.maxPositionEmbeddings()));
        md.put(a + "embedding_length", u32(c.hiddenSize()));
        md.put(a + "feed_forward_length", u32(c.intermediateSize()));
        md.put(a + "attention.head_count", u32(c.numAttentionHeads()));
        // MLA runs as multi-query attention over the shared latent: one KV head
        md.put(a + "attention.head_count_kv", u32(layout == MlaLayout.SPLIT ? 1 : c.numKeyValueHeads()));
        md.put(a + "rope.freq_base", f32((float) c.ropeTheta()));
        md.put(a + "attention.layer_norm_rms_epsilon", f32((float) c.rmsNormEps()));
        md.put(a + "expert_used_count", u32(c.numExpertsPerTok()));
        md.put(a + "leading_dense_block_count", u32(c.firstKDenseReplace()));
        md.put(a + "vocab_size", u32(c.vocabSize()));
        md.put(a + "attention.q_lora_rank", u32(c.qLoraRank()));
        md.put(a + "attention.kv_lora_rank", u32(c.kvLoraRank()));
        if (layout == MlaLayout.SPLIT) {
            md.put(a + "attention.key_length", u32(c.kvLoraRank() + c.qkRopeHeadDim()));
            md.put(a + "attention.value_length", u32(c.kvLoraRank()));
            md.put(a + "attention.key_length_mla", u32(c.qkHeadDim()));
            md.put(a + "attention.value_length_mla", u32(c.vHeadDim()));
        } else {
            md.put(a + "attention.key_length", u32(c.qkHeadDim()));
            md.put(a + "attention.value_length", u32(c.vHeadDim()));
        }
        md.put(a + "expert_feed_forward_length", u32(c.moeIntermediateSize()));
        md.put(a + "expert_count", u32(c.nRoutedExperts()));
        md.put(a + "expert_shared_count", u32(c.nSharedExperts()));
        md.put(a + "expert_weights_scale", f32((float) c.routedScalingFactor()));
        if (c.normTopkProb()) {
            md.put(a + "expert_weights_norm", bool(true));
        }
        // routing over every group limits nothing, and llama.cpp asserts at load that fewer are used
        if (c.nGroup() > 1 && c.topkGroup() < c.nGroup()) {
            md.put(a + "expert_group_count", u32(c.nGroup()));
            md.put(a + "expert_group_used_count", u32(c.topkGroup()));
        }
        md.put(a + "expert_gating_func", u32(c.scoringFunc().ggufId()));
        md.put(a + "rope.dimension_count", u32(c.qkRopeHeadDim()));
        c.ropeScaling().ifPresent(y -> {
            md.put(a + "rope.scaling.type", string("yarn"));
            md.put(a + "rope.scaling.factor", f32((float) y.factor()));
            md.put(a + "rope.scaling.original_context_length", u32(y.originalMaxPositionEmbeddings()));
            y.betaFast().ifPresent(b -> md.put(a + "rope.scaling.yarn_beta_fast", f32(b.floatValue())));
            y.betaSlow().ifPresent(b -> md.put(a + "rope.scaling.yarn_beta_slow", f32(b.floatValue())));
            // the converter writes 0.1 * mscale_all_dim (a Python double) as float32
            md.put(a + "rope.scaling.yarn_log_multiplier", f32((float) (0.1 * y.mscaleAllDim())));
        });
        if (c.ropeScaling().isEmpty() && layout == MlaLayout.LEGACY) {
            // llama.cpp before the split layout (b4916, for one) requires this key of deepseek2, where the
            // converter writes none without scaling; it multiplies ln 1 = 0 there, so 0 changes nothing
            md.put(a + "rope.scaling.yarn_log_multiplier", f32(0f));
        }
        return md;
    }

    /** The output tensors with their sources, in llama.cpp's order: the HF → GGUF name map. */
    public static List<OutputTensor> tensors(DeepseekV3Config c, MlaLayout layout) {
        long h = c.hiddenSize();
        long vocab = c.vocabSize();
        List<OutputTensor> out = new ArrayList<>();
        out.add(weight("token_embd.weight", "model.embed_tokens.weight", vocab, h));
        out.add(vector("output_norm.weight", "model.norm.weight", h));
        if (!c.tieWordEmbeddings()) {
            out.add(weight("output.weight", "lm_head.weight", vocab, h));
        }
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String blk = "blk." + i + ".";
            String hf = "model.layers." + i + ".";
            long heads = c.numAttentionHeads();
            long qHead = c.qkHeadDim();
            long nope = c.qkNopeHeadDim();
            long vDim = c.vHeadDim();
            long kvLora = c.kvLoraRank();
            out.add(vector(blk + "attn_norm.weight", hf + "input_layernorm.weight", h));
            out.add(weight(blk + "attn_q_a.weight", hf + "self_attn.q_a_proj.weight", c.qLoraRank(), h));
            out.add(vector(blk + "attn_q_a_norm.weight", hf + "self_attn.q_a_layernorm.weight", c.qLoraRank()));
            out.add(weight(blk + "attn_q_b.weight", hf + "self_attn.q_b_proj.weight", heads * qHead, c.qLoraRank()));
            out.add(weight(blk + "attn_kv_a_mqa.weight", hf + "self_attn.kv_a_proj_with_mqa.weight",
                    kvLora + c.qkRopeHeadDim(), h));
            out.add(vector(blk + "attn_kv_a_norm.weight", hf + "self_attn.kv_a_layernorm.weight", kvLora));
            String kvB = hf + "self_attn.kv_b_proj.weight";
            long kvBRows = heads * (nope + vDim);
            if (layout == MlaLayout.SPLIT) {
                List<SourceSlice> k = new ArrayList<>();
                List<SourceSlice> v = new ArrayList<>();
                for (long head = 0; head < heads; head++) {
                    // per head, kv_b_proj holds nope K rows then vDim V rows
                    k.add(SourceSlice.transposedRows(kvB, kvBRows, kvLora, head * (nope + vDim), nope));
                    v.add(SourceSlice.rows(kvB, kvBRows, kvLora, head * (nope + vDim) + nope, vDim));
                }
                out.add(new OutputTensor(blk + "attn_k_b.weight", new long[] {nope, kvLora, heads}, false, k));
                out.add(new OutputTensor(blk + "attn_v_b.weight", new long[] {kvLora, vDim, heads}, false, v));
            } else {
                out.add(weight(blk + "attn_kv_b.weight", kvB, kvBRows, kvLora));
            }
            out.add(weight(blk + "attn_output.weight", hf + "self_attn.o_proj.weight", h, heads * vDim));
            out.add(vector(blk + "ffn_norm.weight", hf + "post_attention_layernorm.weight", h));
            if (!c.isMoeLayer(i)) {
                long ff = c.intermediateSize();
                out.add(weight(blk + "ffn_gate.weight", hf + "mlp.gate_proj.weight", ff, h));
                out.add(weight(blk + "ffn_up.weight", hf + "mlp.up_proj.weight", ff, h));
                out.add(weight(blk + "ffn_down.weight", hf + "mlp.down_proj.weight", h, ff));
                continue;
            }
            long experts = c.nRoutedExperts();
            long ffExp = c.moeIntermediateSize();
            long ffShared = ffExp * c.nSharedExperts();
            out.add(new OutputTensor(blk + "ffn_gate_inp.weight", new long[] {h, experts}, true,
                    List.of(SourceSlice.whole(hf + "mlp.gate.weight", experts, h))));
            if (c.hasScoreCorrectionBias()) {
                out.add(vector(blk + "exp_probs_b.bias", hf + "mlp.gate.e_score_correction_bias", experts));
            }
            out.add(experts(blk + "ffn_gate_exps.weight", hf, "gate_proj", experts, ffExp, h));
            out.add(experts(blk + "ffn_up_exps.weight", hf, "up_proj", experts, ffExp, h));
            out.add(experts(blk + "ffn_down_exps.weight", hf, "down_proj", experts, h, ffExp));
            if (ffShared > 0) {
                out.add(weight(blk + "ffn_gate_shexp.weight", hf + "mlp.shared_experts.gate_proj.weight", ffShared, h));
                out.add(weight(blk + "ffn_up_shexp.weight", hf + "mlp.shared_experts.up_proj.weight", ffShared, h));
                out.add(weight(blk + "ffn_down_shexp.weight", hf + "mlp.shared_experts.down_proj.weight", h, ffShared));
            }
        }
        out.sort(OutputTensor.LLAMA_ORDER);
        return out;
    }

    /** A 2-D weight from a whole HF {@code [rows, cols]} matrix: GGUF {@code {cols, rows}}. */
    private static OutputTensor weight(String name, String hf, long rows, long cols) {
        return new OutputTensor(name, new long[] {cols, rows}, false, List.of(SourceSlice.whole(hf, rows, cols)));
    }

    /** A 1-D tensor kept in F32. */
    private static OutputTensor vector(String name, String hf, long n) {
        return new OutputTensor(name, new long[] {n}, true, List.of(SourceSlice.whole(hf, n)));
    }

    /** Experts {@code 0..experts-1} of one projection stacked: GGUF {@code {cols, rows, experts}}. */
    private static OutputTensor experts(String name, String hfLayer, String proj, long experts, long rows, long cols) {
        List<SourceSlice> slices = new ArrayList<>();
        for (long e = 0; e < experts; e++) {
            slices.add(SourceSlice.whole(hfLayer + "mlp.experts." + e + "." + proj + ".weight", rows, cols));
        }
        return new OutputTensor(name, new long[] {cols, rows, experts}, false, slices);
    }
}
