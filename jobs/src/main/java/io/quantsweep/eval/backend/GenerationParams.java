package io.quantsweep.eval.backend;

import java.io.Serializable;
import java.util.List;

/**
 * Sampling settings for {@link Backend#generate}. Every field is sent to the engine explicitly, and every
 * other sampler (repetition penalties and the like) is sent switched off, so a server's own defaults
 * (llama-server's top-k 40 and min-p 0.05, vLLM's generation_config.json) never change a result.
 *
 * @param maxTokens     most tokens to generate, at least 1
 * @param temperature   0 for greedy decoding
 * @param topP          nucleus mass in (0, 1]; 1 keeps every token
 * @param topK          keep the K most probable tokens; 0 keeps every token
 * @param minP          drop tokens below minP times the top probability; 0 keeps every token
 * @param seed          sampler seed, >= 0 (results repeat only on an engine that honours it)
 * @param stop          strings that end generation (not included in the text)
 * @param tokenLogprobs also return each generated token's log-probability ({@link Capability#TOKEN_LOGPROBS})
 */
public record GenerationParams(int maxTokens, double temperature, double topP, int topK, double minP, int seed,
                               List<String> stop, boolean tokenLogprobs) implements Serializable {

    public GenerationParams {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, not " + maxTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite value >= 0, not " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], not " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = off), not " + topK);
        }
        if (!(minP >= 0 && minP < 1)) {
            throw new IllegalArgumentException("minP must be in [0, 1), not " + minP);
        }
        if (seed < 0) {
            throw new IllegalArgumentException("seed must be >= 0, not " + seed);
        }
        stop = List.copyOf(stop);
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("stop strings must not be empty: " + stop);
        }
    }

    /** Greedy decoding of at most {@code maxTokens} tokens, seed 0, no stop strings. */
    public static GenerationParams greedy(int maxTokens) {
        return builder().maxTokens(maxTokens).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from greedy decoding of 256 tokens. */
    public static final class Builder {
        private int maxTokens = 256;
        private double temperature;
        private double topP = 1;
        private int topK;
        private double minP;
        private int seed;
        private List<String> stop = List.of();
        private boolean tokenLogprobs;

        private Builder() {
        }

        public Builder maxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topP(double topP) {
            this.topP = topP;
            return this;
        }

        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        public Builder minP(double minP) {
            this.minP = minP;
            return this;
        }

        public Builder seed(int seed) {
            this.seed = seed;
            return this;
        }

        public Builder stop(List<String> stop) {
            this.stop = stop;
            return this;
        }

        public Builder tokenLogprobs(boolean tokenLogprobs) {
            this.tokenLogprobs = tokenLogprobs;
            return this;
        }

        public GenerationParams build() {
            return new GenerationParams(maxTokens, temperature, topP, topK, minP, seed, stop, tokenLogprobs);
        }
    }
}
