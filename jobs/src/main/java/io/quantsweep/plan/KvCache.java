package io.quantsweep.plan;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufValue;

/**
 * The f16 KV cache of a multi-head latent attention model (DeepSeek-V2/V3), per token, two ways:
 * <ul>
 *   <li>{@link Kind#MLA}: what llama.cpp keeps since its MLA support (PR 12801): per layer and token
 *       the compressed latent and the rope key, {@code kv_lora_rank + qk_rope_head_dim} values
 *       (512 + 64 = 576 for DeepSeek-V3), shared by all heads;</li>
 *   <li>{@link Kind#FULL}: a cache of decompressed keys and values, as a build without MLA keeps it:
 *       per layer and token {@code n_head × (qk_nope + qk_rope + v_head)} values
 *       (128 × (128 + 64 + 128) = 40,960).</li>
 * </ul>
 * Bytes = layers × values per token and layer × 2 (f16) × context. For DeepSeek-V3 at 32,768 tokens:
 * 61 × 576 × 2 × 32,768 = 2,302,672,896 bytes (2.14 GiB) compressed, 61 × 40,960 × 2 × 32,768 =
 * 163,745,628,160 bytes (152.5 GiB) full, which matches the ~186–191 GiB the paper adds to each file
 * size at 32K context (paper-dq3km.md §1.5, §3).
 *
 * @param layers {@code block_count} (the MTP layer is not in the GGUF)
 * @param heads {@code attention.head_count}
 * @param kvLoraRank {@code attention.kv_lora_rank}
 * @param ropeDim {@code rope.dimension_count} ({@code qk_rope_head_dim})
 * @param keyLength one head's key: {@code qk_nope_head_dim + qk_rope_head_dim}
 * @param valueLength one head's value: {@code v_head_dim}
 */
public record KvCache(int layers, int heads, int kvLoraRank, int ropeDim, int keyLength, int valueLength) {

    /** Bytes of one f16 value. */
    public static final int F16_BYTES = 2;

    /** Which cache a build keeps. */
    public enum Kind {
        /** llama.cpp's compressed MLA cache. */
        MLA,
        /** Full per-head keys and values. */
        FULL;

        /**
         * The cache llama.cpp keeps for a GGUF of {@code layout}: the MLA cache needs the split tensors
         * and their {@code *_mla} keys; a legacy file, which current builds also load, gets full keys and
         * values.
         */
        public static Kind keptFor(MlaLayout layout) {
            return layout == MlaLayout.SPLIT ? MLA : FULL;
        }
    }

    public KvCache {
        if (layers < 1 || heads < 1 || kvLoraRank < 1 || ropeDim < 1 || keyLength < 1 || valueLength < 1) {
            throw new IllegalArgumentException("KV cache dimensions must be positive: " + this);
        }
    }

    /**
     * From a GGUF's architecture KVs: the {@code *_mla} head sizes of an MLA GGUF, or the plain ones of
     * a legacy GGUF (which has no {@code *_mla} keys).
     *
     * @throws IllegalArgumentException when the model has no {@code kv_lora_rank} (not an MLA model)
     */
    public static KvCache of(GgufMetadata md) {
        String a = md.get("general.architecture").map(GgufValue::asString)
                .orElseThrow(() -> new IllegalArgumentException("no general.architecture"));
        String attn = a + ".attention.";
        boolean split = md.contains(attn + "key_length_mla");
        return new KvCache(u32(md, a + ".block_count"), u32(md, attn + "head_count"), u32(md, attn + "kv_lora_rank"),
                u32(md, a + ".rope.dimension_count"), u32(md, attn + (split ? "key_length_mla" : "key_length")),
                u32(md, attn + (split ? "value_length_mla" : "value_length")));
    }

    private static int u32(GgufMetadata md, String key) {
        return Math.toIntExact(md.get(key).orElseThrow(() -> new IllegalArgumentException(
                "the model has no " + key + "; the KV cache model needs multi-head latent attention")).asLong());
    }

    /** Values one token adds to one layer's cache. */
    public long valuesPerTokenAndLayer(Kind kind) {
        return kind == Kind.MLA ? kvLoraRank + ropeDim : (long) heads * (keyLength + valueLength);
    }

    /** Bytes of the cache for {@code context} tokens. */
    public long bytes(Kind kind, long context) {
        if (context < 1) {
            throw new IllegalArgumentException("context must be at least one token, not " + context);
        }
        return Math.multiplyExact(Math.multiplyExact((long) layers, valuesPerTokenAndLayer(kind)),
                Math.multiplyExact((long) F16_BYTES, context));
    }
}
