package io.quantsweep.quant.recipe;

import io.quantsweep.quant.GgmlType;
import java.util.ArrayList;
import java.util.List;

/**
 * The GGUF tensors of DeepSeek-V3/R1 671B as the converter writes them (deepseek-v3-gguf.md §2.3):
 * norms, router and expert bias in F32, the rest in BF16, dimensions in ggml order.
 */
final class DeepSeekV3Tensors {
    static final int LAYERS = 61;
    static final int DENSE_LAYERS = 3;
    /** MLA GGUF: head_count 128 / head_count_kv 1. */
    static final ModelFacts MLA_FACTS = ModelFacts.of(LAYERS, 256, 128, 1);
    /** Legacy GGUF with attn_kv_b: head_count_kv 128. */
    static final ModelFacts LEGACY_FACTS = ModelFacts.of(LAYERS, 256, 128, 128);

    private DeepSeekV3Tensors() {
    }

    /** The current layout: {@code attn_kv_b} split into {@code attn_k_b} and {@code attn_v_b}; 1086 tensors. */
    static List<RecipeTensor> mla() {
        return build(false);
    }

    /** GGUFs converted before llama.cpp PR #12801: one {@code attn_kv_b} per layer; 1025 tensors. */
    static List<RecipeTensor> legacy() {
        return build(true);
    }

    private static List<RecipeTensor> build(boolean legacy) {
        List<RecipeTensor> t = new ArrayList<>();
        bf16(t, "token_embd.weight", 7168, 129280);
        for (int n = 0; n < LAYERS; n++) {
            String p = "blk." + n + ".";
            f32(t, p + "attn_norm.weight", 7168);
            bf16(t, p + "attn_q_a.weight", 7168, 1536);
            f32(t, p + "attn_q_a_norm.weight", 1536);
            bf16(t, p + "attn_q_b.weight", 1536, 24576);
            bf16(t, p + "attn_kv_a_mqa.weight", 7168, 576);
            f32(t, p + "attn_kv_a_norm.weight", 512);
            if (legacy) {
                bf16(t, p + "attn_kv_b.weight", 512, 32768);
            } else {
                bf16(t, p + "attn_k_b.weight", 128, 512, 128);
                bf16(t, p + "attn_v_b.weight", 512, 128, 128);
            }
            bf16(t, p + "attn_output.weight", 16384, 7168);
            f32(t, p + "ffn_norm.weight", 7168);
            if (n < DENSE_LAYERS) {
                bf16(t, p + "ffn_gate.weight", 7168, 18432);
                bf16(t, p + "ffn_up.weight", 7168, 18432);
                bf16(t, p + "ffn_down.weight", 18432, 7168);
            } else {
                f32(t, p + "ffn_gate_inp.weight", 7168, 256);
                f32(t, p + "exp_probs_b.bias", 256);
                bf16(t, p + "ffn_down_exps.weight", 2048, 7168, 256);
                bf16(t, p + "ffn_gate_exps.weight", 7168, 2048, 256);
                bf16(t, p + "ffn_up_exps.weight", 7168, 2048, 256);
                bf16(t, p + "ffn_gate_shexp.weight", 7168, 2048);
                bf16(t, p + "ffn_up_shexp.weight", 7168, 2048);
                bf16(t, p + "ffn_down_shexp.weight", 2048, 7168);
            }
        }
        f32(t, "output_norm.weight", 7168);
        bf16(t, "output.weight", 7168, 129280);
        return List.copyOf(t);
    }

    private static void bf16(List<RecipeTensor> t, String name, long... ne) {
        t.add(RecipeTensor.of(name, GgmlType.BF16, ne));
    }

    private static void f32(List<RecipeTensor> t, String name, long... ne) {
        t.add(RecipeTensor.of(name, GgmlType.F32, ne));
    }
}
