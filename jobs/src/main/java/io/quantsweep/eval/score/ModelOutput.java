package io.quantsweep.eval.score;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/** What a backend returned for one sample, in the form a {@link ScoringMode} reads. */
public sealed interface ModelOutput extends Serializable {
    /**
     * The next-token distribution after the prompt, as the backend's top-K list.
     *
     * @param topLogprobs token text (decoded, e.g. {@code " A"}) to natural-log probability
     */
    record NextToken(Map<String, Double> topLogprobs) implements ModelOutput {
        public NextToken {
            topLogprobs = Map.copyOf(topLogprobs);
        }
    }

    /** Generated text (for grammar-constrained decoding, the emitted letter). */
    record Generation(String text) implements ModelOutput {
        public Generation {
            Objects.requireNonNull(text, "text");
        }
    }
}
