package io.quantsweep.quant.recipe;

/**
 * llama-quantize's tensor categories: substring tests on the name, first hit wins, in this order.
 * DeepSeek's {@code attn_q_a}, {@code attn_q_b}, {@code attn_kv_a_mqa}, {@code attn_k_b} and
 * {@code attn_v_b} are all {@link #OTHER}: {@code attn_k_b.weight} does not contain {@code attn_k.weight}.
 */
enum TensorCategory {
    OUTPUT,
    TOKEN_EMBD,
    ATTN_QKV,
    ATTN_KV_B,
    ATTN_V,
    ATTN_K,
    ATTN_Q,
    ATTN_OUTPUT,
    FFN_UP,
    FFN_GATE,
    FFN_DOWN,
    OTHER;

    static TensorCategory of(String name) {
        if (name.equals("output.weight")) {
            return OUTPUT;
        }
        if (name.equals("token_embd.weight")) {
            return TOKEN_EMBD;
        }
        if (name.contains("attn_qkv.weight")) {
            return ATTN_QKV;
        }
        if (name.contains("attn_kv_b.weight")) {
            return ATTN_KV_B;
        }
        if (name.contains("attn_v.weight")) {
            return ATTN_V;
        }
        if (name.contains("attn_k.weight")) {
            return ATTN_K;
        }
        if (name.contains("attn_q.weight")) {
            return ATTN_Q;
        }
        if (name.contains("attn_output.weight")) {
            return ATTN_OUTPUT;
        }
        if (name.contains("ffn_up")) {
            return FFN_UP;
        }
        if (name.contains("ffn_gate")) {
            return FFN_GATE;
        }
        if (name.contains("ffn_down")) {
            return FFN_DOWN;
        }
        return OTHER;
    }

    /**
     * The "attn_v-like" group that shares the {@code i_attention_wv} counter and its rules (the
     * current code sends {@code attn_qkv} and {@code attn_kv_b} there too).
     */
    boolean attnVLike() {
        return this == ATTN_V || this == ATTN_QKV || this == ATTN_KV_B;
    }
}
