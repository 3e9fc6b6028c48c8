package io.quantsweep.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every loader against the real-file slices (and the two written fixtures). */
class LoadersTest {
    private static LoadedSplit load(LoaderKind kind, String slice, String split) throws IOException {
        LoadedSplit s = kind.loader(JsonlFields.DEFAULT).load(BenchmarkSlices.dir(slice), split);
        assertEquals(List.of(), s.malformed(), "real slices have no malformed row");
        return s;
    }

    @Test
    void mmluDevReadsSubjectsInNameOrderWithQuotedMultiLineFields() throws IOException {
        LoadedSplit dev = load(LoaderKind.MMLU, "mmlu", "dev");
        assertEquals(10, dev.items().size());
        Item first = dev.items().get(0);
        assertEquals("abstract_algebra/0", first.id());
        assertEquals("abstract_algebra", first.subject());
        assertEquals("Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.", first.question());
        assertEquals(List.of("0", "1", "2", "3"), first.choices());
        assertEquals("B", first.answer());
        assertEquals("", first.solution());
        assertTrue(first.where().file().endsWith("dev/abstract_algebra_dev.csv"), first.where().file());
        assertEquals(1, first.where().line());

        Item quoted = dev.items().get(1);
        assertEquals(List.of("True, True", "False, False", "True, False", "False, True"), quoted.choices());

        Item multiLine = dev.items().get(7);
        assertEquals("college_mathematics/2", multiLine.id());
        assertEquals(3, multiLine.where().line());
        assertTrue(multiLine.question().startsWith("Let A be a real 2x2 matrix. Which of the following statements"
                + " must be true?\r\nI. All of the entries of A^2 are nonnegative.\r\nII."), multiLine.question());
        assertEquals(List.of("I only", "II only", "III only", "II and III only"), multiLine.choices());
        assertEquals(7, dev.items().get(8).where().line());
        assertEquals("C", dev.items().get(8).answer());
    }

    @Test
    void mmluTest() throws IOException {
        LoadedSplit test = load(LoaderKind.MMLU, "mmlu", "test");
        assertEquals(6, test.items().size());
        assertEquals(List.of("B", "C", "D", "B", "B", "A"), test.items().stream().map(Item::answer).toList());
        assertEquals(List.of("0", "1", "0,1", "0,4"), test.items().get(2).choices());
    }

    @Test
    void cmmluReadsTheHeaderAndChineseText() throws IOException {
        LoadedSplit dev = load(LoaderKind.CMMLU, "cmmlu", "dev");
        assertEquals(5, dev.items().size());
        Item first = dev.items().get(0);
        assertEquals("agronomy/0", first.id());
        assertEquals("肉牛屠宰后，胴体的哪个部位肉质较好", first.question());
        assertEquals(List.of("胸", "腹", "大腿", "小腿"), first.choices());
        assertEquals("C", first.answer());
        assertEquals(2, first.where().line());
        LoadedSplit test = load(LoaderKind.CMMLU, "cmmlu", "test");
        assertEquals(6, test.items().size());
        assertEquals(List.of("B"), test.items().subList(0, 1).stream().map(Item::answer).toList());
    }

    @Test
    void cevalKeepsTheExplanationAsSolutionAndRefusesTheAnswerlessTestSplit() throws IOException {
        LoadedSplit val = load(LoaderKind.CEVAL, "ceval", "val");
        assertEquals(3, val.items().size());
        assertEquals("probability/1", val.items().get(1).id());
        assertEquals("互斥事件的\"和\"的概率等于概率之和。", val.items().get(1).solution());
        assertEquals("B", val.items().get(1).answer());
        LoadedSplit dev = load(LoaderKind.CEVAL, "ceval", "dev");
        assertEquals("奇数有1和3，\n共两个，所以是2/3。", dev.items().get(2).solution());
        assertEquals(4, dev.items().get(2).where().line());

        BenchmarkFormatException e = assertThrows(BenchmarkFormatException.class,
                () -> CsvChoiceLoader.CEVAL.load(BenchmarkSlices.dir("ceval"), "test"));
        assertEquals(BenchmarkFormatException.Reason.BAD_HEADER, e.reason());
        assertTrue(e.getMessage().contains("probability_test.csv:1: "), e.getMessage());
        assertTrue(e.getMessage().contains("no column 'answer'"), e.getMessage());
    }

    @Test
    void gsm8kGoldIsTheNumberAfterTheMarkAndTheSolutionIsKept() throws IOException {
        LoadedSplit test = load(LoaderKind.GSM8K, "gsm8k", "test");
        assertEquals(5, test.items().size());
        assertEquals(List.of("18", "3", "70000", "540", "20"), test.items().stream().map(Item::answer).toList());
        Item first = test.items().get(0);
        assertEquals("0", first.id());
        assertTrue(first.question().startsWith("Janet’s ducks lay 16 eggs per day."));
        assertTrue(first.solution().endsWith("\n#### 18"));
        assertFalse(first.multipleChoice());
        LoadedSplit train = load(LoaderKind.GSM8K, "gsm8k", "train");
        assertEquals(8, train.items().size());
        assertEquals("72", train.items().get(0).answer());
    }

    @Test
    void math500KeepsIdSubjectAndLevel() throws IOException {
        LoadedSplit test = load(LoaderKind.MATH500, "math500", "test");
        assertEquals(5, test.items().size());
        Item first = test.items().get(0);
        assertEquals("test/precalculus/807.json", first.id());
        assertEquals("Precalculus", first.subject());
        assertEquals("\\left( 3, \\frac{\\pi}{2} \\right)", first.answer());
        assertEquals(Map.of("level", "2"), first.tags());
        assertTrue(first.solution().contains("\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}"));
    }

    @Test
    void aimeIdsAreTheFilesIntegerIds() throws IOException {
        LoadedSplit test = load(LoaderKind.AIME, "aime24", "test");
        assertEquals(List.of("60", "61", "62"), test.items().stream().map(Item::id).toList());
        assertEquals("204", test.items().get(0).answer());
        assertTrue(test.items().get(0).tags().get("url").startsWith("https://artofproblemsolving.com/"));
    }

    @Test
    void genericChoiceTakesLettersOrIndicesAndSkipsBlankLines() throws IOException {
        LoadedSplit test = load(LoaderKind.JSONL_CHOICE, "generic", "test");
        assertEquals(List.of("g1", "g2", "g3"), test.items().stream().map(Item::id).toList());
        assertEquals(List.of("B", "B", "C"), test.items().stream().map(Item::answer).toList());
        assertEquals("astronomy", test.items().get(0).subject());
        assertEquals(5, test.items().get(2).choices().size());
        assertEquals(4, test.items().get(2).where().line());
        assertEquals("7 has no divisor other than 1 and itself.", test.items().get(2).solution());
    }

    @Test
    void genericFreeAnswerWithMappedFieldNames() throws IOException {
        JsonlFields aime = new JsonlFields("id", "problem", "choices", "answer", "subject", "solution");
        LoadedSplit test = LoaderKind.JSONL_FREE.loader(aime).load(BenchmarkSlices.dir("aime24"), "test");
        assertEquals(3, test.items().size());
        assertEquals("60", test.items().get(0).id());
        assertEquals("204", test.items().get(0).answer());
        assertTrue(test.items().get(0).question().startsWith("Every morning Aya goes for a $9$-kilometer-long walk"));
    }

    @Test
    void textPassagesFromBlankLineSeparatedTextOrJsonLines() throws IOException {
        LoadedSplit txt = load(LoaderKind.TEXT, "text", "test");
        assertEquals(List.of("0", "1"), txt.items().stream().map(Item::id).toList());
        assertEquals("The river rises in the hills\nand runs west to the sea.", txt.items().get(0).question());
        assertEquals("#1 Bread is made from flour, water and salt.", txt.items().get(1).question());
        assertEquals(5, txt.items().get(1).where().line());
        assertEquals("", txt.items().get(1).answer());
        assertFalse(txt.items().get(0).multipleChoice());

        LoadedSplit jsonl = LoaderKind.TEXT.loader(JsonlFields.DEFAULT).load(BenchmarkSlices.dir("text"), "dev");
        assertEquals(List.of("p-a", "1"), jsonl.items().stream().map(Item::id).toList());
        assertEquals("Snow fell all night.", jsonl.items().get(0).question());
        assertEquals(1, jsonl.malformed().size());
        assertEquals(MalformedRow.Reason.MISSING_FIELD, jsonl.malformed().get(0).reason());
        assertEquals(4, jsonl.malformed().get(0).where().line());

        BenchmarkFormatException none = assertThrows(BenchmarkFormatException.class,
                () -> TextLoader.INSTANCE.load(BenchmarkSlices.dir("text"), "val"));
        assertTrue(none.getMessage().contains("val.jsonl or ") && none.getMessage().contains("val.txt: no such file"),
                none.getMessage());
    }

    @Test
    void theBundledSetsOfConfLoadWithoutAMalformedRow() throws IOException {
        Path conf = Path.of("..", "conf", "benchmarks");
        LoadedSplit mc = LoaderKind.JSONL_CHOICE.loader(JsonlFields.DEFAULT).load(DataDir.local(conf.resolve("tiny-mc")), "test");
        LoadedSplit free = LoaderKind.JSONL_FREE.loader(JsonlFields.DEFAULT).load(DataDir.local(conf.resolve("tiny-free")), "test");
        LoadedSplit prose = LoaderKind.TEXT.loader(JsonlFields.DEFAULT).load(DataDir.local(conf.resolve("tiny-prose")), "test");
        assertEquals(List.of(30, 6, 4), List.of(mc.items().size(), free.items().size(), prose.items().size()));
        assertEquals(0, mc.malformed().size() + free.malformed().size() + prose.malformed().size());
        assertEquals(Map.of("A", 8L, "B", 8L, "C", 7L, "D", 7L), mc.items().stream().collect(
                java.util.stream.Collectors.groupingBy(Item::answer, java.util.stream.Collectors.counting())));
    }

    @Test
    void aMissingSplitIsRefused() {
        BenchmarkFormatException csv = assertThrows(BenchmarkFormatException.class,
                () -> CsvChoiceLoader.MMLU.load(BenchmarkSlices.dir("mmlu"), "val"));
        assertEquals(BenchmarkFormatException.Reason.NO_DATA, csv.reason());
        BenchmarkFormatException jsonl = assertThrows(BenchmarkFormatException.class,
                () -> JsonlLoader.GSM8K.load(BenchmarkSlices.dir("gsm8k"), "dev"));
        assertEquals(BenchmarkFormatException.Reason.NO_DATA, jsonl.reason());
        assertTrue(jsonl.getMessage().contains("dev.jsonl"), jsonl.getMessage());
    }

    @Test
    void loaderNames() {
        assertSame(LoaderKind.JSONL_CHOICE, LoaderKind.parse("jsonl-choice"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoaderKind.parse("MMLU"));
        assertTrue(e.getMessage().contains("mmlu, cmmlu, ceval"), e.getMessage());
        assertTrue(LoaderKind.CEVAL.multipleChoice());
        assertFalse(LoaderKind.AIME.multipleChoice());
    }
}
