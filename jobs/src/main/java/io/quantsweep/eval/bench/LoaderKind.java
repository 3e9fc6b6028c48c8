package io.quantsweep.eval.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The loaders a sweep file can name, with the name it uses and whether items have choices. */
public enum LoaderKind {
    MMLU("mmlu", true),
    CMMLU("cmmlu", true),
    CEVAL("ceval", true),
    GSM8K("gsm8k", false),
    MATH500("math500", false),
    AIME("aime", false),
    JSONL_CHOICE("jsonl-choice", true),
    JSONL_FREE("jsonl-free", false),
    /** Text passages for next-token comparisons ({@code scoring: kld}), see {@link TextLoader}. */
    TEXT("text", false);

    private final String id;
    private final boolean multipleChoice;

    LoaderKind(String id, boolean multipleChoice) {
        this.id = id;
        this.multipleChoice = multipleChoice;
    }

    /** The name in sweep files. */
    public String id() {
        return id;
    }

    /** Whether this loader's items have choices (and a letter as gold answer). */
    public boolean multipleChoice() {
        return multipleChoice;
    }

    /** The loader; {@code fields} is used by the generic JSONL kinds only. */
    public BenchmarkLoader loader(JsonlFields fields) {
        return switch (this) {
            case MMLU -> CsvChoiceLoader.MMLU;
            case CMMLU -> CsvChoiceLoader.CMMLU;
            case CEVAL -> CsvChoiceLoader.CEVAL;
            case GSM8K -> JsonlLoader.GSM8K;
            case MATH500 -> JsonlLoader.MATH500;
            case AIME -> JsonlLoader.AIME;
            case JSONL_CHOICE -> JsonlLoader.multipleChoice(fields);
            case JSONL_FREE -> JsonlLoader.freeAnswer(fields);
            case TEXT -> TextLoader.INSTANCE;
        };
    }

    /** The kind with this sweep-file name. */
    public static LoaderKind parse(String id) {
        for (LoaderKind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown loader '" + id + "', one of " + ids());
    }

    /** All sweep-file names, comma separated. */
    public static String ids() {
        return Arrays.stream(values()).map(LoaderKind::id).collect(Collectors.joining(", "));
    }
}
