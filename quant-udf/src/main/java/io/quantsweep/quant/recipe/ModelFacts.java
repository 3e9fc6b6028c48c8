package io.quantsweep.quant.recipe;

/**
 * The model hyper-parameters llama.cpp's mixture rules read.
 *
 * @param nLayer {@code block_count} (61 for DeepSeek-V3; the MTP layer is not in the GGUF)
 * @param nExpert {@code expert_count}, 0 or 1 for a dense model (256 for DeepSeek-V3)
 * @param nGqa {@code head_count / head_count_kv} (128 for an MLA DeepSeek GGUF, 1 for a legacy one
 *     with {@code attn_kv_b})
 */
public record ModelFacts(int nLayer, int nExpert, int nGqa) {

    public ModelFacts {
        if (nLayer < 1 || nExpert < 0 || nGqa < 1) {
            throw new IllegalArgumentException(
                    "model facts n_layer=%d n_expert=%d n_gqa=%d: need n_layer >= 1, n_expert >= 0, n_gqa >= 1"
                            .formatted(nLayer, nExpert, nGqa));
        }
    }

    /** From the GGUF keys: {@code n_gqa = head_count / head_count_kv} as llama.cpp computes it. */
    public static ModelFacts of(int blockCount, int expertCount, int headCount, int headCountKv) {
        if (headCountKv < 1 || headCount < headCountKv) {
            throw new IllegalArgumentException(
                    "head_count %d, head_count_kv %d: need 1 <= head_count_kv <= head_count".formatted(headCount, headCountKv));
        }
        return new ModelFacts(blockCount, expertCount, headCount / headCountKv);
    }
}
