package io.quantsweep.eval.bench;

import java.io.Serializable;
import java.util.Objects;

/**
 * Which JSON fields the generic JSONL loaders read. {@code question} and {@code answer} must be in
 * every row (and {@code choices} for multiple choice: an array of strings, with the answer as a letter
 * or a 0-based index); {@code id}, {@code subject} and {@code solution} are read where present.
 */
public record JsonlFields(String id, String question, String choices, String answer, String subject,
        String solution) implements Serializable {
    /** {@code id, question, choices, answer, subject, solution}. */
    public static final JsonlFields DEFAULT =
            new JsonlFields("id", "question", "choices", "answer", "subject", "solution");

    public JsonlFields {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(choices, "choices");
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(solution, "solution");
    }
}
