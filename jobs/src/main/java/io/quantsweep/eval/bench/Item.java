package io.quantsweep.eval.bench;

import java.io.Serializable;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One benchmark question as every loader produces it.
 *
 * @param id       stable within a benchmark split: {@code subject/ordinal} for CSV sets, the file's own
 *                 id (MATH-500 {@code unique_id}, AIME {@code id}) or the 0-based line ordinal for JSONL
 * @param subject  the subject (MMLU/CMMLU/C-Eval file name, MATH subject); empty where the set has none
 * @param question the question text as the file holds it
 * @param choices  the option texts in letter order (A, B, ...); empty for free-answer items
 * @param answer   the gold answer: a choice letter for multiple choice, else the reference answer text
 *                 (GSM8K: the number after {@code ####} without commas)
 * @param solution a worked solution or explanation used in few-shot exemplars; empty where the set has none
 * @param tags     further fields kept for analysis (MATH {@code level}, AIME {@code url}), sorted by key
 * @param where    the file and line the item came from
 */
public record Item(String id, String subject, String question, List<String> choices, String answer,
        String solution, Map<String, String> tags, Location where) implements Serializable {
    /** Letters of the choices, in order; 26 at most. */
    public static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    public Item {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(question, "question");
        choices = List.copyOf(choices);
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(solution, "solution");
        tags = Collections.unmodifiableSortedMap(new TreeMap<>(tags));
        Objects.requireNonNull(where, "where");
        if (choices.size() > LETTERS.length()) {
            throw new IllegalArgumentException(where + ": " + choices.size() + " choices, at most 26");
        }
        if (!choices.isEmpty() && letterIndex(answer) >= choices.size()) {
            throw new IllegalArgumentException(where + ": answer '" + answer + "' is not one of "
                    + LETTERS.substring(0, choices.size()));
        }
    }

    /** A free-answer item (no choices, no tags). */
    public static Item free(String id, String subject, String question, String answer, String solution,
            Location where) {
        return new Item(id, subject, question, List.of(), answer, solution, Map.of(), where);
    }

    public boolean multipleChoice() {
        return !choices.isEmpty();
    }

    /** The letter of choice {@code i} (0 is A). */
    public static String letter(int i) {
        return LETTERS.substring(i, i + 1);
    }

    /** 0 for "A", 1 for "B", ...; -1 for anything that is not one upper-case letter. */
    public static int letterIndex(String s) {
        return s.length() == 1 ? LETTERS.indexOf(s.charAt(0)) : -1;
    }
}
