package io.quantsweep.arch.deepseek;

import io.quantsweep.arch.HfConfig;
import io.quantsweep.arch.ModelMappingException;
import java.util.Optional;

/**
 * The hyperparameters of a {@code DeepseekV3ForCausalLM} {@code config.json} that the GGUF mapping
 * uses, read and checked once.
 *
 * <p>Required keys are those the 671B config has and the mapping reads; a missing one is refused
 * naming it. {@code num_nextn_predict_layers} (default 0), {@code tie_word_embeddings} (false),
 * {@code moe_layer_freq} (1, the only value supported) and {@code rope_scaling} (none) may be absent.
 * The checks are those without which the tensor shapes are undefined: positive sizes,
 * {@code num_key_value_heads == num_attention_heads} (the converter splits {@code kv_b_proj} by it),
 * {@code n_group} dividing {@code n_routed_experts}, and a yarn rope scaling if any; and sanity bounds
 * ({@link #MAX_LAYERS}, {@link #MAX_HEADS}, {@link #MAX_EXPERTS}) on the counts that size the tensor map.
 */
public record DeepseekV3Config(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int moeIntermediateSize,
        int numHiddenLayers,
        int firstKDenseReplace,
        int numAttentionHeads,
        int numKeyValueHeads,
        int qLoraRank,
        int kvLoraRank,
        int qkNopeHeadDim,
        int qkRopeHeadDim,
        int vHeadDim,
        int nRoutedExperts,
        int nSharedExperts,
        int numExpertsPerTok,
        int nGroup,
        int topkGroup,
        String topkMethod,
        ScoringFunc scoringFunc,
        boolean normTopkProb,
        double routedScalingFactor,
        double ropeTheta,
        Optional<Yarn> ropeScaling,
        int maxPositionEmbeddings,
        double rmsNormEps,
        int numNextnPredictLayers,
        boolean tieWordEmbeddings) {

    /*
     * Sanity bounds on the counts that size the per-layer, per-head and per-expert lists of the tensor
     * map (DeepseekV3.tensors builds one entry per layer, one slice per head and one per expert): a
     * config with num_hidden_layers 2147483647 would otherwise spend minutes filling the heap before
     * failing. They are far above any real model (the 671B has 61 + 1 layers, 128 heads, 256 experts).
     */
    /** At most this many {@code num_hidden_layers}, and as many {@code num_nextn_predict_layers}. */
    public static final int MAX_LAYERS = 4096;
    /** At most this many {@code num_attention_heads} (and so {@code num_key_value_heads}). */
    public static final int MAX_HEADS = 4096;
    /** At most this many {@code n_routed_experts} (and so {@code n_group}, {@code num_experts_per_tok}). */
    public static final int MAX_EXPERTS = 65536;

    /** The router's score function, with llama.cpp's {@code expert_gating_func} id. */
    public enum ScoringFunc {
        SOFTMAX(1), SIGMOID(2);

        private final int ggufId;

        ScoringFunc(int ggufId) {
            this.ggufId = ggufId;
        }

        public int ggufId() {
            return ggufId;
        }

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * YaRN rope scaling as {@code rope_scaling} gives it.
     *
     * @param betaFast {@code beta_fast}, when given
     * @param betaSlow {@code beta_slow}, when given
     */
    public record Yarn(double factor, int originalMaxPositionEmbeddings, Optional<Double> betaFast,
            Optional<Double> betaSlow, double mscale, double mscaleAllDim) {
    }

    public DeepseekV3Config {
        int[] positive = {vocabSize, hiddenSize, intermediateSize, moeIntermediateSize, numHiddenLayers, numAttentionHeads,
            numKeyValueHeads, qLoraRank, kvLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim, nRoutedExperts,
            numExpertsPerTok, nGroup, topkGroup, maxPositionEmbeddings};
        for (int v : positive) {
            if (v <= 0) {
                throw new IllegalArgumentException("DeepSeek-V3 sizes must be positive: " + v);
            }
        }
        if (numHiddenLayers > MAX_LAYERS || numNextnPredictLayers > MAX_LAYERS || numAttentionHeads > MAX_HEADS
                || nRoutedExperts > MAX_EXPERTS) {
            throw new IllegalArgumentException("DeepSeek-V3 counts above their bounds: " + numHiddenLayers + " layers, "
                    + numNextnPredictLayers + " MTP layers (at most " + MAX_LAYERS + " each), " + numAttentionHeads
                    + " heads (at most " + MAX_HEADS + "), " + nRoutedExperts + " experts (at most " + MAX_EXPERTS + ")");
        }
        if (firstKDenseReplace < 0 || firstKDenseReplace > numHiddenLayers || nSharedExperts < 0 || numNextnPredictLayers < 0) {
            throw new IllegalArgumentException("first_k_dense_replace " + firstKDenseReplace + ", n_shared_experts "
                    + nSharedExperts + " or num_nextn_predict_layers " + numNextnPredictLayers + " out of range");
        }
    }

    /**
     * Reads a {@code DeepseekV3ForCausalLM} config.
     *
     * @throws ModelMappingException ({@code MISSING_KEY}, {@code BAD_VALUE}) naming the file and key
     */
    public static DeepseekV3Config from(HfConfig c) {
        if (c.intOr("moe_layer_freq", 1) != 1) {
            throw c.bad("moe_layer_freq", "is " + c.requireInt("moe_layer_freq") + "; only 1 (every layer past first_k_dense_replace is MoE) is supported");
        }
        int heads = count(c, "num_attention_heads", MAX_HEADS);
        int kvHeads = positive(c, "num_key_value_heads");
        if (kvHeads != heads) {
            throw c.bad("num_key_value_heads", "is " + kvHeads + " but num_attention_heads is " + heads
                    + "; kv_b_proj holds one K/V pair per attention head");
        }
        int experts = count(c, "n_routed_experts", MAX_EXPERTS);
        int groups = positive(c, "n_group");
        if (experts % groups != 0) {
            throw c.bad("n_group", "is " + groups + ", which does not divide n_routed_experts " + experts);
        }
        if (groups > 1 && experts / groups < 2) {
            throw c.bad("n_group", "is " + groups + ", as many groups as n_routed_experts; a group needs two experts"
                    + " or more (its score is the sum of its top two, and llama.cpp needs fewer groups than experts)");
        }
        int topkGroup = positive(c, "topk_group");
        if (topkGroup > groups) {
            throw c.bad("topk_group", "is " + topkGroup + ", more than n_group " + groups);
        }
        int used = positive(c, "num_experts_per_tok");
        if (used > experts) {
            throw c.bad("num_experts_per_tok", "is " + used + ", more than n_routed_experts " + experts);
        }
        String topkMethod = c.requireString("topk_method");
        if (!topkMethod.equals("noaux_tc") && !topkMethod.equals("greedy") && !topkMethod.equals("group_limited_greedy")) {
            throw c.bad("topk_method", "is '" + topkMethod + "'; expected noaux_tc, greedy or group_limited_greedy");
        }
        int layers = count(c, "num_hidden_layers", MAX_LAYERS);
        int dense = c.requireInt("first_k_dense_replace");
        if (dense < 0 || dense > layers) {
            throw c.bad("first_k_dense_replace", "is " + dense + ", not within [0, num_hidden_layers = " + layers + "]");
        }
        int nextn = c.intOr("num_nextn_predict_layers", 0);
        if (nextn < 0) {
            throw c.bad("num_nextn_predict_layers", "is negative: " + nextn);
        }
        if (nextn > MAX_LAYERS) {
            throw c.bad("num_nextn_predict_layers", tooMany(nextn, MAX_LAYERS));
        }
        int shared = c.requireInt("n_shared_experts");
        if (shared < 0) {
            throw c.bad("n_shared_experts", "is negative: " + shared);
        }
        return new DeepseekV3Config(
                positive(c, "vocab_size"),
                positive(c, "hidden_size"),
                positive(c, "intermediate_size"),
                positive(c, "moe_intermediate_size"),
                layers,
                dense,
                heads,
                kvHeads,
                positive(c, "q_lora_rank"),
                positive(c, "kv_lora_rank"),
                positive(c, "qk_nope_head_dim"),
                positive(c, "qk_rope_head_dim"),
                positive(c, "v_head_dim"),
                experts,
                shared,
                used,
                groups,
                topkGroup,
                topkMethod,
                scoringFunc(c),
                c.requireBool("norm_topk_prob"),
                c.requireDouble("routed_scaling_factor"),
                c.requireDouble("rope_theta"),
                yarn(c),
                positive(c, "max_position_embeddings"),
                c.requireDouble("rms_norm_eps"),
                nextn,
                c.boolOr("tie_word_embeddings", false));
    }

    private static int positive(HfConfig c, String key) {
        int v = c.requireInt(key);
        if (v <= 0) {
            throw c.bad(key, "is " + v + ", not positive");
        }
        return v;
    }

    /** A positive count that sizes a list of the tensor map, at most {@code max}. */
    private static int count(HfConfig c, String key, int max) {
        int v = positive(c, key);
        if (v > max) {
            throw c.bad(key, tooMany(v, max));
        }
        return v;
    }

    private static String tooMany(int v, int max) {
        return "is " + v + ", more than the sanity bound " + max + " (the tensor map holds one entry per layer, head"
                + " and expert; no real model comes near it)";
    }

    private static ScoringFunc scoringFunc(HfConfig c) {
        String f = c.requireString("scoring_func");
        for (ScoringFunc s : ScoringFunc.values()) {
            if (s.configName().equals(f)) {
                return s;
            }
        }
        throw c.bad("scoring_func", "is '" + f + "'; expected sigmoid or softmax");
    }

    private static Optional<Yarn> yarn(HfConfig c) {
        Optional<HfConfig> r = c.optionalObject("rope_scaling");
        if (r.isEmpty()) {
            return Optional.empty();
        }
        HfConfig s = r.get();
        String type = s.optionalString("rope_type").orElseGet(() -> s.requireString("type"));
        if (!type.equals("yarn")) {
            throw s.bad(s.has("rope_type") ? "rope_type" : "type", "is '" + type + "'; DeepSeek-V3 uses yarn");
        }
        return Optional.of(new Yarn(s.requireDouble("factor"), s.requireInt("original_max_position_embeddings"),
                s.optionalDouble("beta_fast"), s.optionalDouble("beta_slow"), s.optionalDouble("mscale").orElse(1.0),
                s.requireDouble("mscale_all_dim")));
    }

    /** Whether layer {@code i} has a mixture of experts (else a dense FFN). */
    public boolean isMoeLayer(int i) {
        return i >= firstKDenseReplace;
    }

    /** Query/key head size: {@code qk_nope_head_dim + qk_rope_head_dim}. */
    public int qkHeadDim() {
        return qkNopeHeadDim + qkRopeHeadDim;
    }

    /** Whether the router has DeepSeek-V3's score-correction bias ({@code topk_method: noaux_tc}). */
    public boolean hasScoreCorrectionBias() {
        return topkMethod.equals("noaux_tc");
    }
}
