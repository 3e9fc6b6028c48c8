package io.quantsweep.arch.deepseek;

import io.quantsweep.arch.deepseek.DeepseekV3Config.ScoringFunc;
import io.quantsweep.arch.deepseek.DeepseekV3Config.Yarn;
import java.util.Optional;

/**
 * Sizes of the generated DeepSeek-V3-shaped models. Each keeps the 671B model's structure (MLA with
 * q and kv LoRA, leading dense layers, routed experts with a shared expert and group-limited
 * sigmoid routing with a correction bias, YaRN rope scaling, one multi-token-prediction layer) and
 * the dimensions llama.cpp and the K-quants need: every row that gets quantized
 * ({@code hidden_size}, the LoRA ranks, {@code heads × v_head_dim}, both FFN widths) is a multiple of
 * 256, {@code qk_nope_head_dim} a multiple of 32 (the {@code attn_k_b} fallback types), and
 * {@code topk_group < n_group}, {@code n_group} dividing {@code n_routed_experts}, as llama.cpp's
 * loader asserts.
 */
public enum DeepseekV3Preset {
    /** About 10 MB of FP8: converts and runs in llama.cpp in seconds. */
    TINY(3, new DeepseekV3Config(512, 256, 512, 256, 3, 1, 4, 4, 256, 256, 64, 32, 64, 8, 1, 2, 4, 2,
            "noaux_tc", ScoringFunc.SIGMOID, true, 2.5, 10000, yarn(4, 1024), 4096, 1e-6, 1, false)),
    /** About 80 MB (79 MiB) of FP8 weights and scales, shards and tokenizer. */
    SMALL(4, new DeepseekV3Config(1024, 512, 1024, 256, 6, 2, 8, 8, 512, 256, 64, 32, 64, 32, 1, 4, 8, 4,
            "noaux_tc", ScoringFunc.SIGMOID, true, 2.5, 10000, yarn(8, 1024), 8192, 1e-6, 1, false)),
    /** About 2 GB of FP8, for throughput runs; generated as a stream, never held in memory. */
    BENCH(8, new DeepseekV3Config(2048, 2048, 5632, 1024, 6, 1, 16, 16, 768, 512, 128, 64, 128, 48, 1, 6, 8, 4,
            "noaux_tc", ScoringFunc.SIGMOID, true, 2.5, 10000, yarn(40, 4096), 163840, 1e-6, 1, false));

    private final int shards;
    private final DeepseekV3Config config;

    DeepseekV3Preset(int shards, DeepseekV3Config config) {
        this.shards = shards;
        this.config = config;
    }

    private static Optional<Yarn> yarn(double factor, int originalContext) {
        return Optional.of(new Yarn(factor, originalContext, Optional.of(32.0), Optional.of(1.0), 1.0, 1.0));
    }

    /** Safetensors shards the checkpoint is split into. */
    public int shards() {
        return shards;
    }

    /** The preset's hyperparameters (with its own tokenizer's vocabulary size). */
    public DeepseekV3Config config() {
        return config;
    }

    /** The hyperparameters with another {@code vocab_size}, for a tokenizer brought from elsewhere. */
    public DeepseekV3Config config(int vocabSize) {
        DeepseekV3Config c = config;
        return new DeepseekV3Config(vocabSize, c.hiddenSize(), c.intermediateSize(), c.moeIntermediateSize(),
                c.numHiddenLayers(), c.firstKDenseReplace(), c.numAttentionHeads(), c.numKeyValueHeads(), c.qLoraRank(),
                c.kvLoraRank(), c.qkNopeHeadDim(), c.qkRopeHeadDim(), c.vHeadDim(), c.nRoutedExperts(), c.nSharedExperts(),
                c.numExpertsPerTok(), c.nGroup(), c.topkGroup(), c.topkMethod(), c.scoringFunc(), c.normTopkProb(),
                c.routedScalingFactor(), c.ropeTheta(), c.ropeScaling(), c.maxPositionEmbeddings(), c.rmsNormEps(),
                c.numNextnPredictLayers(), c.tieWordEmbeddings());
    }
}
