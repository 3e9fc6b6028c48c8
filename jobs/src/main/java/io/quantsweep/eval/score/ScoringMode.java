package io.quantsweep.eval.score;

import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.prompt.Reasoning;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How a sample's output is turned into a right or wrong answer. Generation modes read the answer only
 * after the reasoning ({@link Reasoning#split}); a reply whose thinking never closed scores wrong with
 * extractor {@value Extraction#THINK_UNCLOSED}.
 */
public enum ScoringMode {
    /**
     * Multiple choice by next-token letter probabilities ({@link LetterProbabilities}); extractor
     * {@code letter-prob}, or {@code letter-prob/none} when no letter is in the top-K list.
     */
    MC_LOGPROB("mc-logprob", true),
    /**
     * Multiple choice by grammar-constrained decoding: the letter the backend emitted (spaces around it
     * ignored), no probability; extractor {@code grammar}, or {@code grammar/invalid} for anything else.
     */
    MC_GRAMMAR("mc-grammar", true),
    /** Multiple choice by generation and answer extraction ({@link ChoiceExtractor}). */
    MC_GENERATE("mc-generate", true),
    /** Numeric exact match, GSM8K ({@link NumericAnswer}). */
    NUMERIC("numeric", false),
    /** lm-evaluation-harness's GSM8K exact match under its strict-match filter ({@link LmEvalGsm8k}). */
    GSM8K_STRICT_MATCH("gsm8k-strict-match", false),
    /** lm-evaluation-harness's GSM8K exact match under its flexible-extract filter ({@link LmEvalGsm8k}). */
    GSM8K_FLEXIBLE_EXTRACT("gsm8k-flexible-extract", false),
    /** Boxed-answer extraction and LaTeX equivalence, MATH-500 and AIME ({@link MathAnswer}). */
    BOXED("boxed", false),
    /**
     * Next-token distributions over a text corpus, compared with the baseline's at the same positions
     * ({@code io.quantsweep.eval.metrics.TopKDivergence}); nothing is right or wrong, so {@link #score}
     * refuses it.
     */
    KLD("kld", false);

    private final String id;
    private final boolean multipleChoice;

    ScoringMode(String id, boolean multipleChoice) {
        this.id = id;
        this.multipleChoice = multipleChoice;
    }

    /** The name in sweep files. */
    public String id() {
        return id;
    }

    /** Whether the mode needs items with choices. */
    public boolean multipleChoice() {
        return multipleChoice;
    }

    /** Whether the mode needs a {@link ModelOutput.NextToken} rather than generated text. */
    public boolean needsNextToken() {
        return this == MC_LOGPROB || this == KLD;
    }

    /** Whether the mode generates text freely, where stop strings and a token budget apply. */
    public boolean generates() {
        return this == MC_GENERATE || this == NUMERIC || this == GSM8K_STRICT_MATCH || this == GSM8K_FLEXIBLE_EXTRACT
                || this == BOXED;
    }

    /** Whether samples are judged right or wrong ({@link #KLD}'s are compared with the baseline instead). */
    public boolean scored() {
        return this != KLD;
    }

    /**
     * Whether two extracted answers ({@code Score.predicted}) are the same answer, as this mode compares an
     * answer with the gold one: numbers and expressions by value ({@code 025} is {@code 25}), letters as
     * they are.
     */
    public boolean sameAnswer(String a, String b) {
        return switch (this) {
            case NUMERIC -> NumericAnswer.equivalent(a, b);
            case GSM8K_STRICT_MATCH, GSM8K_FLEXIBLE_EXTRACT -> LmEvalGsm8k.exactMatch(a, b);
            case BOXED -> MathAnswer.equivalent(a, b);
            default -> a.equals(b);
        };
    }

    /**
     * Scores one output of {@code item}.
     *
     * @param thinkPrefilled whether the prompt opened a {@code <think>} block ({@code Prompt.thinkPrefilled()})
     */
    public Score score(Item item, ModelOutput output, boolean thinkPrefilled) {
        if (!scored()) {
            throw new IllegalArgumentException("scoring mode '" + id + "' compares next-token distributions with the "
                    + "baseline's; it does not score items");
        }
        if (multipleChoice != item.multipleChoice()) {
            throw new IllegalArgumentException(item.where() + ": scoring mode '" + id + "' does not fit item '"
                    + item.id() + "' (" + (item.multipleChoice() ? "multiple choice" : "free answer") + ")");
        }
        if (this == MC_LOGPROB) {
            if (!(output instanceof ModelOutput.NextToken next)) {
                throw new IllegalArgumentException("scoring mode '" + id + "' needs next-token log-probabilities, got "
                        + output.getClass().getSimpleName());
            }
            LetterProbabilities p = LetterProbabilities.of(next.topLogprobs(), item.choices().size());
            return new Score(p.best().equals(item.answer()), p.best(),
                    p.best().isEmpty() ? "letter-prob/none" : "letter-prob", p.probabilities());
        }
        if (!(output instanceof ModelOutput.Generation generation)) {
            throw new IllegalArgumentException("scoring mode '" + id + "' needs generated text, got "
                    + output.getClass().getSimpleName());
        }
        if (this == MC_GRAMMAR) {
            String letter = generation.text().strip();
            int i = Item.letterIndex(letter);
            boolean valid = i >= 0 && i < item.choices().size();
            return new Score(valid && letter.equals(item.answer()), valid ? letter : "",
                    valid ? "grammar" : "grammar/invalid", Map.of());
        }
        Reasoning.Reply reply = Reasoning.split(generation.text(), thinkPrefilled);
        if (!reply.closed()) {
            return new Score(false, "", Extraction.THINK_UNCLOSED, Map.of());
        }
        return switch (this) {
            case MC_GENERATE -> {
                Extraction e = ChoiceExtractor.of(item.choices().size()).extract(reply.answer());
                yield new Score(e.found() && e.answer().equals(item.answer()), e.answer(), e.extractor(), Map.of());
            }
            case NUMERIC -> {
                Extraction e = NumericAnswer.extract(reply.answer());
                yield new Score(e.found() && NumericAnswer.equivalent(e.answer(), item.answer()), e.answer(),
                        e.extractor(), Map.of());
            }
            case GSM8K_STRICT_MATCH, GSM8K_FLEXIBLE_EXTRACT -> {
                Extraction e = (this == GSM8K_STRICT_MATCH ? LmEvalGsm8k.STRICT_MATCH : LmEvalGsm8k.FLEXIBLE_EXTRACT)
                        .extract(reply.answer());
                yield new Score(LmEvalGsm8k.exactMatch(e.answer(), item.answer()), e.answer(), e.extractor(), Map.of());
            }
            case BOXED -> {
                Extraction e = MathAnswer.extract(reply.answer());
                yield new Score(e.found() && MathAnswer.equivalent(e.answer(), item.answer()), e.answer(),
                        e.extractor(), Map.of());
            }
            case MC_LOGPROB, MC_GRAMMAR, KLD -> throw new IllegalStateException("handled above: " + this);
        };
    }

    /** The mode with this sweep-file name. */
    public static ScoringMode parse(String id) {
        for (ScoringMode m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown scoring mode '" + id + "', one of "
                + Arrays.stream(values()).map(ScoringMode::id).collect(Collectors.joining(", ")));
    }
}
