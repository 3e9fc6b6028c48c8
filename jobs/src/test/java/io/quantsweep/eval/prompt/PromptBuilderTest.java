package io.quantsweep.eval.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.bench.BenchmarkSlices;
import io.quantsweep.eval.bench.CsvChoiceLoader;
import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.bench.JsonlLoader;
import io.quantsweep.eval.bench.Location;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptBuilderTest {
    /** A builder whose exemplars do not depend on the split's order (every selection but lm-eval's). */
    private static PromptBuilder shots(PromptTemplate template, ChatFormat chat, ShotSelection selection,
            List<Item> pool, int n, long seed) {
        return new PromptBuilder(template, chat, selection.prepare(List.of(), pool, n, seed));
    }

    private static PromptBuilder zeroShot(PromptTemplate template, ChatFormat chat) {
        return shots(template, chat, ShotSelection.FIRST_N, List.of(), 0, 0);
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = PromptBuilderTest.class.getResourceAsStream("/prompts/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<Item> mmlu(String split) throws IOException {
        return CsvChoiceLoader.MMLU.load(BenchmarkSlices.dir("mmlu"), split).items();
    }

    @Test
    void mmluFiveShotMatchesTheGoldenText() throws IOException {
        List<Item> dev = mmlu("dev");
        Item question = mmlu("test").get(0);
        Prompt p = shots(PromptTemplate.MMLU_LM_EVAL, ChatFormat.NONE, ShotSelection.FIRST_N, dev, 5, 0)
                .build(question);
        assertEquals(golden("mmlu-lm-eval-abstract_algebra-test-0-5shot.txt"), p.text());
        assertEquals("mmlu-lm-eval+none", p.templateId());
        assertEquals(List.of("abstract_algebra/0", "abstract_algebra/1", "abstract_algebra/2", "abstract_algebra/3",
                "abstract_algebra/4"), PromptShots.ids(p, question, dev));
        assertFalse(p.thinkPrefilled());
        // in chat markup the description goes before the first user turn, as lm-evaluation-harness sends it as a
        // system turn; then a user and an assistant turn per exemplar, and the question as the last user turn
        String chat = shots(PromptTemplate.MMLU_LM_EVAL, ChatFormat.DEEPSEEK_V3, ShotSelection.FIRST_N, dev, 5, 0)
                .build(question).text();
        assertTrue(chat.startsWith("The following are multiple choice questions (with answers) about abstract "
                + "algebra.\n\n<｜User｜>Find all c in Z_3"), chat);
        assertEquals(6, chat.split("<｜User｜>", -1).length - 1, chat);
        assertEquals(5, chat.split("<｜end▁of▁sentence｜>", -1).length - 1, chat);
        assertTrue(chat.contains("\nAnswer:<｜Assistant｜>B<｜end▁of▁sentence｜><｜User｜>"), chat);
        assertTrue(chat.endsWith("D. 6\nAnswer:<｜Assistant｜>"), chat);
    }

    @Test
    void passagesGoAsTheyAreAndLetterChoicesFollowTheDelimiter() {
        Item passage = Item.free("0", "", "  Two lines,\nas written. ", "", "", new Location("t.txt", 1));
        Prompt p = zeroShot(PromptTemplate.PASSAGE, ChatFormat.NONE).build(passage);
        assertEquals("  Two lines,\nas written. ", p.text());
        assertEquals("passage+none", p.templateId());
        assertEquals(List.of(" A", " B", " C"), PromptTemplate.MMLU_LM_EVAL.letterChoices(3, ChatFormat.NONE));
        assertEquals(List.of(" A", " B"), PromptTemplate.ZH_MCQ.letterChoices(2, ChatFormat.NONE));
        // in chat markup an exemplar's assistant turn is the bare letter, and so is the answer
        assertEquals(List.of("A", "B", "C"), PromptTemplate.MMLU_LM_EVAL.letterChoices(3, ChatFormat.DEEPSEEK_V3));
    }

    @Test
    void promptsAreTheSameOnEveryBuildAndDoNotDependOnPoolOrderWhenSeeded() throws IOException {
        List<Item> pool = JsonlLoader.GSM8K.load(BenchmarkSlices.dir("gsm8k"), "train").items();
        List<Item> test = JsonlLoader.GSM8K.load(BenchmarkSlices.dir("gsm8k"), "test").items();
        List<Item> reversed = new ArrayList<>(pool);
        Collections.reverse(reversed);
        PromptBuilder a = shots(PromptTemplate.GSM8K_LM_EVAL, ChatFormat.NONE, ShotSelection.SEEDED, pool, 3, 1234);
        PromptBuilder b = shots(PromptTemplate.GSM8K_LM_EVAL, ChatFormat.NONE, ShotSelection.SEEDED, reversed, 3, 1234);
        PromptBuilder otherSeed = shots(PromptTemplate.GSM8K_LM_EVAL, ChatFormat.NONE, ShotSelection.SEEDED, pool, 3,
                1235);
        List<List<String>> draws = new ArrayList<>();
        for (Item item : test) {
            Prompt p = a.build(item);
            assertEquals(p, a.build(item));
            assertEquals(p, b.build(item));
            draws.add(PromptShots.ids(p, item, pool));
        }
        assertTrue(draws.stream().allMatch(d -> d.size() == 3), draws.toString());
        assertTrue(draws.stream().distinct().count() > 1, "each question gets its own draw: " + draws);
        assertNotEquals(draws, test.stream().map(i -> PromptShots.ids(otherSeed.build(i), i, pool)).toList());
    }

    @Test
    void gsm8kRawTextUsesTheWorkedSolutions() throws IOException {
        List<Item> pool = JsonlLoader.GSM8K.load(BenchmarkSlices.dir("gsm8k"), "train").items();
        Item question = JsonlLoader.GSM8K.load(BenchmarkSlices.dir("gsm8k"), "test").items().get(0);
        Prompt p = shots(PromptTemplate.GSM8K_LM_EVAL, ChatFormat.NONE, ShotSelection.FIRST_N, pool, 1, 0)
                .build(question);
        assertEquals("Question: " + pool.get(0).question() + "\nAnswer: " + pool.get(0).solution() + "\n\nQuestion: "
                + question.question() + "\nAnswer:", p.text());
        assertTrue(p.text().contains("#### 72\n\nQuestion: Janet’s ducks"));
    }

    @Test
    void aPoolThatIsTheSplitItselfNeverOffersTheQuestion() throws IOException {
        List<Item> dev = mmlu("dev");
        Item first = dev.get(0);
        Prompt p = shots(PromptTemplate.MMLU_LM_EVAL, ChatFormat.NONE, ShotSelection.FIRST_N, dev, 4, 0)
                .build(first);
        assertEquals(List.of("abstract_algebra/1", "abstract_algebra/2", "abstract_algebra/3", "abstract_algebra/4"),
                PromptShots.ids(p, first, dev));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> shots(PromptTemplate.MMLU_LM_EVAL, ChatFormat.NONE, ShotSelection.FIRST_N, dev, 5, 0)
                        .build(first));
        assertTrue(e.getMessage().contains("needs 5 exemplars of subject 'abstract_algebra', the few-shot pool has 4"),
                e.getMessage());
    }

    @Test
    void chineseTemplateEndsOnTheAnswerMark() throws IOException {
        List<Item> dev = CsvChoiceLoader.CMMLU.load(BenchmarkSlices.dir("cmmlu"), "dev").items();
        Item item = dev.get(0);
        Prompt p = zeroShot(PromptTemplate.ZH_MCQ, ChatFormat.NONE).build(item);
        // the subject as lm-evaluation-harness names it: agronomy is 农学
        assertEquals("以下是关于农学的单项选择题，请直接给出正确答案的选项。\n\n肉牛屠宰后，胴体的哪个部位肉质较好\n"
                + "A. 胸\nB. 腹\nC. 大腿\nD. 小腿\n答案：", p.text());
        assertEquals(List.of(), PromptShots.ids(p, item, dev));
        // an exemplar's answer follows lm-evaluation-harness's target delimiter, a space
        Prompt shot = shots(PromptTemplate.ZH_MCQ, ChatFormat.NONE, ShotSelection.FIRST_N, dev, 1, 0)
                .build(dev.get(1));
        assertTrue(shot.text().contains("D. 小腿\n答案： " + item.answer() + "\n\n"), shot.text());
        assertTrue(shot.text().endsWith("\n答案："), shot.text());

        // C-Eval's description is its own; the rest is the same
        Item network = new Item("computer_network/0", "computer_network", item.question(), item.choices(),
                item.answer(), "", Map.of(), item.where());
        Prompt ceval = zeroShot(PromptTemplate.CEVAL_ZH_MCQ, ChatFormat.NONE).build(network);
        assertEquals("以下是中国关于计算机网络的单项选择题，请选出其中的正确答案。\n\n肉牛屠宰后，胴体的哪个部位肉质较好\n"
                + "A. 胸\nB. 腹\nC. 大腿\nD. 小腿\n答案：", ceval.text());
    }

    private static final Location HERE = new Location("t.jsonl", 1);

    @Test
    void questionsAreStrippedAsPythonStripsThem() {
        // MMLU sociology/69 ends its question in U+0085, which the harness's Jinja strip() removes and Java's keeps
        Item item = new Item("q", "sociology", "Durkheim suggests that\u0085\u00a0", List.of("w", "x", "y", "z"), "A", "",
                Map.of(), HERE);
        String text = zeroShot(PromptTemplate.MMLU_LM_EVAL, ChatFormat.NONE).build(item).text();
        assertTrue(text.endsWith("Durkheim suggests that\nA. w\nB. x\nC. y\nD. z\nAnswer:"), text);
    }

    @Test
    void simpleEvalsPromptInDeepSeekV3Markup() {
        Item item = new Item("q", "", "What is 1 + 1?", List.of("one", "two", "three", "four"), "B", "", Map.of(), HERE);
        Prompt p = zeroShot(PromptTemplate.SIMPLE_EVALS_MCQ, ChatFormat.DEEPSEEK_V3).build(item);
        String user = "Answer the following multiple choice question. The last line of your response should be of the "
                + "following format: 'Answer: $LETTER' (without quotes) where LETTER is one of ABCD. Think step by step "
                + "before answering.\n\nWhat is 1 + 1?\n\nA) one\nB) two\nC) three\nD) four";
        assertEquals("<｜User｜>" + user + "<｜Assistant｜>", p.text());
        assertEquals("simple-evals-mcq+deepseek-v3", p.templateId());
        assertFalse(p.thinkPrefilled());
    }

    @Test
    void deepSeekR1OpensTheThinkingAndDropsTheReasoningOfExemplars() {
        Item shot = Item.free("s", "", "1+1?", "2", "<think>\nadd them\n</think>\n\n$\\boxed{2}$", HERE);
        Item item = Item.free("q", "", "2+3?", "5", "", new Location("t.jsonl", 2));
        Prompt p = shots(PromptTemplate.MATH_BOXED, ChatFormat.DEEPSEEK_R1, ShotSelection.FIRST_N, List.of(shot), 1, 0)
                .build(item);
        String suffix = "\nPlease reason step by step, and put your final answer within \\boxed{}.";
        assertEquals("<｜User｜>1+1?" + suffix + "<｜Assistant｜>$\\boxed{2}$<｜end▁of▁sentence｜><｜User｜>2+3?" + suffix
                + "<｜Assistant｜><think>\n", p.text());
        assertTrue(p.thinkPrefilled());
    }

    @Test
    void choiceTemplatesRefuseFreeAnswerItemsAndNamesAreParsed() {
        Item free = Item.free("q", "", "2+3?", "5", "", HERE);
        PromptBuilder b = zeroShot(PromptTemplate.ZH_MCQ, ChatFormat.NONE);
        assertThrows(IllegalArgumentException.class, () -> b.build(free));
        assertEquals(PromptTemplate.MATH_BOXED, PromptTemplate.parse("math-boxed"));
        assertEquals(ChatFormat.DEEPSEEK_R1, ChatFormat.parse("deepseek-r1"));
        assertEquals(ShotSelection.SEEDED, ShotSelection.parse("seeded"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("mmlu"));
        assertTrue(e.getMessage().contains("mmlu-lm-eval, zh-mcq, ceval-zh-mcq, simple-evals-mcq, gsm8k-lm-eval, math-boxed"),
                e.getMessage());
    }
}
