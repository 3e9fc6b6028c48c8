package io.quantsweep.eval.score;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The verdict on one sample.
 *
 * @param correct             whether the predicted answer matches the gold answer
 * @param predicted           the answer read from the output (a letter, a normalised number, a boxed
 *                            expression); empty if none
 * @param extractor           the id of the rule that produced {@code predicted} (see {@link Extraction})
 * @param letterProbabilities per-letter probabilities in {@link ScoringMode#MC_LOGPROB}, else empty
 */
public record Score(boolean correct, String predicted, String extractor, Map<String, Double> letterProbabilities)
        implements Serializable {
    public Score {
        Objects.requireNonNull(predicted, "predicted");
        Objects.requireNonNull(extractor, "extractor");
        letterProbabilities = Collections.unmodifiableMap(new LinkedHashMap<>(letterProbabilities));
    }
}
