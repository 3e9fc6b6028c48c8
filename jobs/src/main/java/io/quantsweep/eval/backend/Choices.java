package io.quantsweep.eval.backend;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The allowed answers of a constrained choice, and the ways engines are told about them: a GBNF
 * grammar (llama.cpp), a regular expression (SGLang), the list itself (vLLM).
 */
public final class Choices {
    private static final String REGEX_METACHARACTERS = ".^$|?*+()[]{}\\";

    private Choices() {
    }

    /** Checks that {@code choices} is a non-empty list of distinct, non-empty strings. */
    public static List<String> check(List<String> choices) {
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("no choices given");
        }
        Set<String> seen = new HashSet<>();
        for (String c : choices) {
            if (c.isEmpty()) {
                throw new IllegalArgumentException("empty choice in " + choices);
            }
            if (!seen.add(c)) {
                throw new IllegalArgumentException("choice '%s' appears twice in %s".formatted(c, choices));
            }
        }
        return List.copyOf(choices);
    }

    /**
     * A token budget that always fits a choice and the end-of-sequence token after it: every token
     * of a choice carries at least one byte.
     */
    public static int tokenBudget(List<String> choices) {
        return choices.stream().mapToInt(c -> c.getBytes(StandardCharsets.UTF_8).length).max().orElse(0) + 1;
    }

    /**
     * The position of {@code answer}'s text in {@code choices}; else a REJECTED where the answer was cut before its
     * {@code budget} of tokens (the context's end: the budget fits every choice), or a BAD_RESPONSE naming what
     * came back.
     */
    public static Choice match(List<String> choices, Completion answer, int budget, String backend) throws BackendException {
        int index = choices.indexOf(answer.text());
        if (index < 0 && answer.finishReason() == FinishReason.LENGTH && answer.tokens() < budget) {
            throw new BackendException(BackendException.Reason.REJECTED, ("%s answered '%s' when its context ended, after "
                    + "%d of its %d tokens and before any of %s was whole: the prompt leaves too few tokens of the context "
                    + "for the choices; give the model a larger context").formatted(backend, answer.text(), answer.tokens(),
                    budget, choices));
        }
        if (index < 0) {
            throw new BackendException(BackendException.Reason.BAD_RESPONSE,
                    "%s answered '%s', which is none of %s: the engine did not apply the constraint"
                            .formatted(backend, answer.text(), choices));
        }
        return new Choice(index, answer.text(), answer.latency(), answer.attempts());
    }

    /** A GBNF grammar whose root is exactly one of {@code choices}: {@code root ::= "A" | "B"}. */
    public static String gbnf(List<String> choices) {
        StringBuilder g = new StringBuilder("root ::= ");
        for (int i = 0; i < choices.size(); i++) {
            if (i > 0) {
                g.append(" | ");
            }
            g.append('"');
            choices.get(i).codePoints().forEach(cp -> appendGbnfChar(g, cp));
            g.append('"');
        }
        return g.toString();
    }

    private static void appendGbnfChar(StringBuilder g, int cp) {
        switch (cp) {
            case '"' -> g.append("\\\"");
            case '\\' -> g.append("\\\\");
            case '\n' -> g.append("\\n");
            case '\r' -> g.append("\\r");
            case '\t' -> g.append("\\t");
            default -> {
                if (cp < 0x20 || cp == 0x7f) {
                    g.append("\\x%02X".formatted(cp));
                } else {
                    g.appendCodePoint(cp);
                }
            }
        }
    }

    /**
     * A regular expression matching exactly one of {@code choices}, with only the metacharacters escaped:
     * grammar engines' regex converters (SGLang's) need not know an escaped space or colon.
     */
    public static String regex(List<String> choices) {
        StringBuilder r = new StringBuilder("(");
        for (int i = 0; i < choices.size(); i++) {
            if (i > 0) {
                r.append('|');
            }
            choices.get(i).codePoints().forEach(cp -> {
                if (REGEX_METACHARACTERS.indexOf(cp) >= 0) {
                    r.append('\\').appendCodePoint(cp);
                } else if (cp == '\n') {
                    r.append("\\n");
                } else if (cp == '\t') {
                    r.append("\\t");
                } else if (cp == '\r') {
                    r.append("\\r");
                } else {
                    r.appendCodePoint(cp);
                }
            });
        }
        return r.append(')').toString();
    }
}
