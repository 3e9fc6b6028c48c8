package io.quantsweep.arch;

/**
 * How multi-head latent attention's up-projection {@code kv_b_proj} is stored in a GGUF.
 *
 * <p>{@link #SPLIT} is what llama.cpp's converter writes since its MLA support (PR 12801, April
 * 2025): per head, {@code attn_k_b} (the K-nope rows, transposed) and {@code attn_v_b} (the V rows),
 * with {@code head_count_kv = 1} and the {@code *_mla} head sizes. {@link #LEGACY} is the earlier
 * single {@code attn_kv_b} with {@code head_count_kv = num_key_value_heads}, which the published
 * R1/V3 GGUFs of early 2025 use.
 */
public enum MlaLayout {
    SPLIT,
    LEGACY
}
