package io.quantsweep.eval.prompt;

import io.quantsweep.eval.bench.Item;
import io.quantsweep.io.ClasspathText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The prompt templates a sweep can name. Each gives the parts of one exemplar or question: a
 * description put once before everything, the question block, the exemplar's answer and, for raw
 * completion prompts, the text between a question block and its answer. {@link PromptBuilder} joins
 * them into raw text or chat turns.
 */
public enum PromptTemplate {
    /**
     * lm-evaluation-harness MMLU: "The following are multiple choice questions (with answers) about
     * {subject}.", then per question {@code question.strip()}, {@code A. ..} to {@code D. ..} and
     * {@code Answer:}; an exemplar answer is {@code " X"}; exemplars are separated by a blank line.
     * Ends on {@code Answer:}, so the scored next token is {@code " A"} to {@code " D"}.
     */
    MMLU_LM_EVAL("mmlu-lm-eval", true) {
        @Override
        String description(Item item) {
            return "The following are multiple choice questions (with answers) about " + words(item.subject())
                    + ".\n\n";
        }

        @Override
        String question(Item item) {
            return lmEvalQuestion(item, "Answer:");
        }
    },
    /**
     * The Chinese counterpart for CMMLU, in the shape lm-evaluation-harness uses:
     * "以下是关于{subject}的单项选择题，请直接给出正确答案的选项。", options {@code A. ..}, and {@code 答案：}
     * followed by the harness's default target delimiter, a space, and the letter (so the scored
     * continuation is {@code " A"}). The subject is the harness's Chinese name for the CMMLU file's
     * subject ({@code agronomy} → 农学, table {@code cmmlu-subjects.tsv}); a subject the harness does not
     * name, as in a user's own CMMLU-format data, keeps its file name with spaces for underscores.
     */
    ZH_MCQ("zh-mcq", true) {
        @Override
        String description(Item item) {
            return "以下是关于" + chinese(ChineseSubjects.CMMLU, item) + "的单项选择题，请直接给出正确答案的选项。\n\n";
        }

        @Override
        String question(Item item) {
            return lmEvalQuestion(item, "答案：");
        }
    },
    /**
     * C-Eval as lm-evaluation-harness asks it: {@link #ZH_MCQ}'s question and answer under C-Eval's own
     * description, "以下是中国关于{subject}的单项选择题，请选出其中的正确答案。", the subject again the harness's
     * Chinese name, from C-Eval's own table ({@code computer_network} → 计算机网络, {@code ceval-subjects.tsv};
     * {@code high_school_physics} is 高中物理 here, 高中物理学 in CMMLU's), else the file's words.
     */
    CEVAL_ZH_MCQ("ceval-zh-mcq", true) {
        @Override
        String description(Item item) {
            return "以下是中国关于" + chinese(ChineseSubjects.CEVAL, item) + "的单项选择题，请选出其中的正确答案。\n\n";
        }

        @Override
        String question(Item item) {
            return ZH_MCQ.question(item);
        }
    },
    /**
     * OpenAI simple-evals' multiple-choice prompt (DeepSeek-V3's MMLU protocol), zero-shot chain of
     * thought; the reply's last line is {@code Answer: X}. An exemplar's answer is its explanation (if
     * any) and that line.
     */
    SIMPLE_EVALS_MCQ("simple-evals-mcq", true) {
        @Override
        String description(Item item) {
            return "";
        }

        @Override
        String question(Item item) {
            String letters = Item.LETTERS.substring(0, item.choices().size());
            return "Answer the following multiple choice question. The last line of your response should be of the"
                    + " following format: 'Answer: $LETTER' (without quotes) where LETTER is one of " + letters
                    + ". Think step by step before answering.\n\n" + item.question().strip() + "\n\n"
                    + options(item, ") ");
        }

        @Override
        String answer(Item item) {
            return (item.solution().isBlank() ? "" : item.solution().strip() + "\n\n") + "Answer: " + item.answer();
        }

        @Override
        String delimiter() {
            return "\n";
        }
    },
    /**
     * lm-evaluation-harness GSM8K: {@code Question: ..\nAnswer:}; an exemplar's answer is the dataset's
     * worked solution ending in {@code #### N}.
     */
    GSM8K_LM_EVAL("gsm8k-lm-eval", false) {
        @Override
        String description(Item item) {
            return "";
        }

        /** lm-evaluation-harness's {@code until}: without it a reply goes on to invent the next exemplar. */
        @Override
        public List<String> defaultStop() {
            return List.of("Question:", "</s>", "<|im_end|>");
        }

        /** The harness draws GSM8K's exemplars at random from the train split, anew for each question. */
        @Override
        public ShotSelection defaultShotSelection() {
            return ShotSelection.LM_EVAL;
        }

        @Override
        String question(Item item) {
            return "Question: " + item.question() + "\nAnswer:";
        }

        @Override
        String answer(Item item) {
            return item.solution();
        }
    },
    /**
     * DeepSeek-R1's recommended math prompt (also evalscope's and OpenCompass's MATH-500 prompt): the
     * problem, then "Please reason step by step, and put your final answer within \boxed{}."; an
     * exemplar's answer is its worked solution.
     */
    MATH_BOXED("math-boxed", false) {
        @Override
        String description(Item item) {
            return "";
        }

        @Override
        String question(Item item) {
            return item.question().strip()
                    + "\nPlease reason step by step, and put your final answer within \\boxed{}.";
        }

        @Override
        String answer(Item item) {
            return item.solution();
        }

        @Override
        String delimiter() {
            return "\n";
        }
    },
    /**
     * A text passage as it is, for next-token comparisons ({@code scoring: kld}): the prompt is the
     * passage itself, from which the sweep cuts prefixes; no description, no exemplars.
     */
    PASSAGE("passage", false) {
        @Override
        String description(Item item) {
            return "";
        }

        @Override
        String question(Item item) {
            return item.question();
        }

        @Override
        String answer(Item item) {
            return "";
        }

        @Override
        String delimiter() {
            return "";
        }
    };

    private final String id;
    private final boolean multipleChoice;

    PromptTemplate(String id, boolean multipleChoice) {
        this.id = id;
        this.multipleChoice = multipleChoice;
    }

    /** The stop strings a sweep's benchmark gets when it names none: the reference's, where it sets them. */
    public List<String> defaultStop() {
        return List.of();
    }

    /** How a sweep's benchmark with exemplars draws them when it names no way: the reference's. */
    public ShotSelection defaultShotSelection() {
        return ShotSelection.FIRST_N;
    }

    /** Put once before the first question (empty for none). */
    abstract String description(Item item);

    /** The question block, ending where the answer starts. */
    abstract String question(Item item);

    /** An exemplar's answer: lm-evaluation-harness's target, the item's answer (its letter). */
    String answer(Item item) {
        return item.answer();
    }

    /** What separates a question block from its answer in raw text: lm-evaluation-harness's space. */
    String delimiter() {
        return " ";
    }

    /** The name in sweep files and in {@link Prompt#templateId()}. */
    public String id() {
        return id;
    }

    /** Whether the template needs items with choices. */
    public boolean multipleChoice() {
        return multipleChoice;
    }

    /**
     * What a grammar-constrained decode may emit for each of {@code n} choices after a prompt of this
     * template: in raw text, the text between question and answer, then the letter ({@code " A"} after
     * {@code Answer:} or {@code 答案：}); in chat markup the bare letter, as the exemplars' assistant
     * turns answer.
     */
    public List<String> letterChoices(int n, ChatFormat chat) {
        String before = chat == ChatFormat.NONE ? delimiter() : "";
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(before + Item.letter(i));
        }
        return out;
    }

    /** The template with this sweep-file name. */
    public static PromptTemplate parse(String id) {
        for (PromptTemplate t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown prompt template '" + id + "', one of "
                + Arrays.stream(values()).map(PromptTemplate::id).collect(Collectors.joining(", ")));
    }

    private static String words(String subject) {
        return subject.replace('_', ' ');
    }

    private static String chinese(Map<String, String> names, Item item) {
        return names.getOrDefault(item.subject(), words(item.subject()));
    }

    /**
     * lm-evaluation-harness's Chinese subject names, from the tables beside this class (their first
     * lines name the harness commit). A holder class, so that they are read once, on the first Chinese
     * prompt, and a broken table fails that prompt rather than every template.
     */
    private static final class ChineseSubjects {
        static final Map<String, String> CMMLU = read("cmmlu-subjects.tsv");
        static final Map<String, String> CEVAL = read("ceval-subjects.tsv");

        private static Map<String, String> read(String file) {
            return subjectNames(file, ClasspathText.read(PromptTemplate.class, file, file));
        }
    }

    /**
     * A subject table: {@code subject<TAB>name} per line, {@code #} lines and blank lines skipped.
     *
     * @throws IllegalStateException naming {@code source} and the line for any other line, or a subject
     *     listed twice
     */
    static Map<String, String> subjectNames(String source, String text) {
        Map<String, String> names = new HashMap<>();
        String[] lines = text.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank() || lines[i].startsWith("#")) {
                continue;
            }
            String[] f = lines[i].split("\t", -1);
            if (f.length != 2 || !well(f[0]) || !well(f[1])) {
                throw new IllegalStateException(source + ":" + (i + 1) + ": expected 'subject<TAB>Chinese name', got '"
                        + lines[i] + "'");
            }
            if (names.put(f[0], f[1]) != null) {
                throw new IllegalStateException(source + ":" + (i + 1) + ": subject '" + f[0] + "' is listed twice");
            }
        }
        return Map.copyOf(names);
    }

    /** Non-empty and unpadded, since a stray space would make a subject silently miss its name. */
    private static boolean well(String field) {
        return !field.isEmpty() && field.equals(field.strip());
    }

    /** lm-evaluation-harness's multiple-choice block: the question, {@code A. ..} per choice, the answer mark. */
    private static String lmEvalQuestion(Item item, String answerMark) {
        return pythonStrip(item.question()) + "\n" + options(item, ". ") + "\n" + answerMark;
    }

    /**
     * {@code s} without leading and trailing whitespace as Python's {@code str.strip()} (and so the
     * harness's Jinja {@code strip}) sees it, which takes more than Java's {@code strip()}: also U+0085,
     * no-break spaces (U+00A0, U+2007, U+202F) and the separators U+001C to U+001F. One MMLU question
     * ({@code sociology/69}) ends in U+0085.
     */
    private static String pythonStrip(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && pythonSpace(s.charAt(from))) {
            from++;
        }
        while (to > from && pythonSpace(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean pythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085' || (c >= '\u001c' && c <= '\u001f');
    }

    /** {@code A<separator>text} per choice, one per line, without a final line break. */
    private static String options(Item item, String separator) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < item.choices().size(); i++) {
            s.append(i == 0 ? "" : "\n").append(Item.letter(i)).append(separator).append(item.choices().get(i));
        }
        return s.toString();
    }
}
