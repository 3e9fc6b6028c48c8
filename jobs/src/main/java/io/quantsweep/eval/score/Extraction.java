package io.quantsweep.eval.score;

import java.io.Serializable;
import java.util.Objects;

/**
 * An answer read out of a model's text and the id of the rule that found it (recorded on every
 * sample, so analyses can separate, say, strict {@code Answer: X} lines from fall-backs).
 *
 * @param answer    the answer as found (normalised where the extractor says so); empty if none
 * @param extractor the rule's id, e.g. {@code mc/answer-colon}; {@code <family>/none} when nothing matched
 */
public record Extraction(String answer, String extractor) implements Serializable {
    /** The extractor id of a reply whose {@code <think>} never closed (cut off): no answer is read. */
    public static final String THINK_UNCLOSED = "think/unclosed";

    public Extraction {
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(extractor, "extractor");
    }

    public boolean found() {
        return !answer.isEmpty();
    }
}
