package io.quantsweep.eval.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.bench.BenchmarkSlices;
import io.quantsweep.eval.bench.CsvChoiceLoader;
import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.bench.Location;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Chinese templates name the subject as lm-evaluation-harness does, and fall back to the file's words. */
class PromptTemplateSubjectsTest {
    private static Item item(String subject) {
        return new Item(subject + "/0", subject, "问题", List.of("甲", "乙", "丙", "丁"), "A", "", Map.of(),
                new Location("t.csv", 2));
    }

    private static String table(String file) throws IOException {
        try (InputStream in = PromptTemplate.class.getResourceAsStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Every name in a description is the harness's, never ASCII from the file name. */
    private static void assertChinese(PromptTemplate t, String subject) {
        String description = t.description(item(subject));
        assertFalse(description.chars().anyMatch(c -> c < 128 && Character.isLetter(c)), subject + ": " + description);
    }

    @Test
    void cmmluAndCevalSubjectsGetTheHarnessNamesFromTheirOwnTables() {
        assertEquals("以下是关于农学的单项选择题，请直接给出正确答案的选项。\n\n", PromptTemplate.ZH_MCQ.description(item("agronomy")));
        assertEquals("以下是中国关于计算机网络的单项选择题，请选出其中的正确答案。\n\n",
                PromptTemplate.CEVAL_ZH_MCQ.description(item("computer_network")));
        assertTrue(PromptTemplate.CEVAL_ZH_MCQ.description(item("mao_zedong_thought"))
                .contains("关于毛泽东思想和中国特色社会主义理论体系概论的"));
        // one key, two names, as in the harness
        assertTrue(PromptTemplate.ZH_MCQ.description(item("high_school_physics")).contains("关于高中物理学的"));
        assertTrue(PromptTemplate.CEVAL_ZH_MCQ.description(item("high_school_physics")).contains("关于高中物理的"));
    }

    @Test
    void aSubjectTheHarnessDoesNotNameKeepsTheFileWords() throws IOException {
        assertEquals("以下是关于my own subject的单项选择题，请直接给出正确答案的选项。\n\n",
                PromptTemplate.ZH_MCQ.description(item("my_own_subject")));
        assertEquals("以下是关于的单项选择题，请直接给出正确答案的选项。\n\n", PromptTemplate.ZH_MCQ.description(item("")));
        // the C-Eval slice's subject is written for the tests; CMMLU's agronomy is not a C-Eval subject
        Item probability = CsvChoiceLoader.CEVAL.load(BenchmarkSlices.dir("ceval"), "val").items().get(0);
        assertTrue(PromptTemplate.CEVAL_ZH_MCQ.description(probability).startsWith("以下是中国关于probability的"));
        assertTrue(PromptTemplate.CEVAL_ZH_MCQ.description(item("agronomy")).startsWith("以下是中国关于agronomy的"));
    }

    @Test
    void theTablesHoldEveryHarnessSubjectAndSayWhereTheyComeFrom() throws IOException {
        Map<String, String> cmmlu = PromptTemplate.subjectNames("cmmlu", table("cmmlu-subjects.tsv"));
        Map<String, String> ceval = PromptTemplate.subjectNames("ceval", table("ceval-subjects.tsv"));
        assertEquals(67, cmmlu.size());
        assertEquals(52, ceval.size());
        for (String file : List.of("cmmlu-subjects.tsv", "ceval-subjects.tsv")) {
            assertTrue(table(file).startsWith("# From EleutherAI/lm-evaluation-harness @ "
                    + "4e7e0d47f33bc71070c1d38394bafbb52b117163 : lm_eval/tasks/"), file);
        }
        cmmlu.keySet().forEach(s -> assertChinese(PromptTemplate.ZH_MCQ, s));
        ceval.keySet().forEach(s -> assertChinese(PromptTemplate.CEVAL_ZH_MCQ, s));
    }

    @Test
    void everyCmmluSubjectFileHasItsName() throws IOException {
        for (Item i : CsvChoiceLoader.CMMLU.load(BenchmarkSlices.dir("cmmlu"), "test").items()) {
            assertChinese(PromptTemplate.ZH_MCQ, i.subject());
        }
        // the full set: the names of CMMLU's 67 test files
        Path names = BenchmarkSlices.path("cmmlu").resolve("subjects.txt");
        List<String> subjects = Files.readAllLines(names).stream().filter(l -> !l.startsWith("#")).toList();
        assertEquals(67, subjects.size(), names.toString());
        subjects.forEach(s -> assertChinese(PromptTemplate.ZH_MCQ, s));
    }

    @Test
    void aMalformedTableIsRefusedWithItsLine() {
        assertEquals(Map.of("agronomy", "农学"), PromptTemplate.subjectNames("t.tsv", "# c\n\nagronomy\t农学\r\n"));
        for (String bad : List.of("agronomy 农学", "agronomy\t农学\textra", "agronomy\t", "agronomy \t农学")) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> PromptTemplate.subjectNames("t.tsv", "# c\n" + bad + "\n"));
            assertTrue(e.getMessage().startsWith("t.tsv:2: expected 'subject<TAB>Chinese name'"), e.getMessage());
        }
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> PromptTemplate.subjectNames("t.tsv", "a\t甲\na\t乙\n"));
        assertEquals("t.tsv:2: subject 'a' is listed twice", twice.getMessage());
    }
}
