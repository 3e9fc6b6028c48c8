package io.quantsweep.eval.score;

import io.quantsweep.eval.bench.Item;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Multiple choice by next-token probabilities (the original MMLU method, and what llama-server can do):
 * the probability of a letter is the summed probability of its tokens {@code "X"} and {@code " X"} in
 * the backend's top-K next-token list; the answer is the most probable letter.
 *
 * <p>A letter missing from the top-K list gets probability 0. If no letter is listed there is no
 * answer. Ties go to the earlier letter. The reported probabilities are renormalised over the letters,
 * and {@link #letterMass} keeps how much of the whole next-token distribution the letters held.
 *
 * @param probabilities letter to probability, renormalised over the letters (all 0 if none was listed),
 *                      in letter order
 * @param letterMass    the summed next-token probability of all letter tokens, in [0, 1]
 * @param best          the most probable letter, or empty if none was listed
 */
public record LetterProbabilities(Map<String, Double> probabilities, double letterMass, String best) {
    /** Tolerance for log-probabilities a little above 0 from float rounding in a backend. */
    private static final double LOGPROB_SLACK = 1e-4;

    public LetterProbabilities {
        probabilities = Collections.unmodifiableMap(new LinkedHashMap<>(probabilities));
        Objects.requireNonNull(best, "best");
    }

    /**
     * @param topLogprobs token text (as the backend decodes it) to natural-log probability
     * @param choices     number of choices; letters A.. up to it are scored
     */
    public static LetterProbabilities of(Map<String, Double> topLogprobs, int choices) {
        if (choices < 2 || choices > Item.LETTERS.length()) {
            throw new IllegalArgumentException("choices must be 2 to 26, got " + choices);
        }
        double[] p = new double[choices];
        // in token order, so the sums do not depend on the map's iteration order
        for (Map.Entry<String, Double> e : new TreeMap<>(topLogprobs).entrySet()) {
            double lp = e.getValue();
            if (Double.isNaN(lp) || lp > LOGPROB_SLACK) {
                throw new IllegalArgumentException("token '" + e.getKey() + "' has log-probability " + lp);
            }
            String t = e.getKey();
            String letter = t.length() == 2 && t.charAt(0) == ' ' ? t.substring(1) : t;
            int i = Item.letterIndex(letter);
            if (i >= 0 && i < choices) {
                p[i] += Math.exp(Math.min(lp, 0.0));
            }
        }
        double mass = 0;
        int best = -1;
        for (int i = 0; i < choices; i++) {
            mass += p[i];
            if (p[i] > 0 && (best < 0 || p[i] > p[best])) {
                best = i;
            }
        }
        Map<String, Double> normalised = new LinkedHashMap<>();
        for (int i = 0; i < choices; i++) {
            normalised.put(Item.letter(i), mass > 0 ? p[i] / mass : 0.0);
        }
        return new LetterProbabilities(normalised, Math.min(mass, 1.0), best < 0 ? "" : Item.letter(best));
    }
}
