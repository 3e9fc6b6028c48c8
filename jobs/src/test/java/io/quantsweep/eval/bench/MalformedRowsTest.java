package io.quantsweep.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corrupted copies of the real slices: bad rows are counted with file:line, the share decides. */
class MalformedRowsTest {
    @TempDir
    Path tmp;

    private static void replaceLines(Path file, int[] lineNumbers, String[] texts) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        for (int i = 0; i < lineNumbers.length; i++) {
            if (lineNumbers[i] > lines.size()) {
                lines.add(texts[i]);
            } else {
                lines.set(lineNumbers[i] - 1, texts[i]);
            }
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    private static List<String> where(LoadedSplit s) {
        return s.malformed().stream().map(m -> m.where().file().replace('\\', '/')
                .replaceAll(".*/", "") + ":" + m.where().line()).toList();
    }

    @Test
    void csvRowsAreCountedWithFileAndLine() throws IOException {
        Path dir = BenchmarkSlices.copy("mmlu", tmp);
        Path file = dir.resolve("test/abstract_algebra_test.csv");
        replaceLines(file, new int[] {3, 5, 7},
                new String[] {"Only five,fields,here,x,B", "Q,1,2,3,4,E", "ab\"c,1,2,3,4,A"});
        LoadedSplit s = CsvChoiceLoader.MMLU.load(DataDir.local(dir), "test");
        assertEquals(4, s.items().size());
        assertEquals(7, s.rows());
        assertEquals(List.of("abstract_algebra_test.csv:3", "abstract_algebra_test.csv:5",
                "abstract_algebra_test.csv:7"), where(s));
        assertEquals(List.of(MalformedRow.Reason.FIELD_COUNT, MalformedRow.Reason.BAD_ANSWER,
                MalformedRow.Reason.BAD_QUOTING), s.malformed().stream().map(MalformedRow::reason).toList());
        assertEquals("answer 'E' is not one of ABCD", s.malformed().get(1).detail());
        // ids stay the record ordinals of the file, so a good row keeps its id when a neighbour breaks
        assertEquals(List.of("abstract_algebra/0", "abstract_algebra/1", "abstract_algebra/3", "abstract_algebra/5"),
                s.items().stream().map(Item::id).toList());

        assertSame(s, s.requireMalformedShareAtMost(0.5));
        BenchmarkFormatException e = assertThrows(BenchmarkFormatException.class,
                () -> s.requireMalformedShareAtMost(0.4));
        assertEquals(BenchmarkFormatException.Reason.TOO_MANY_MALFORMED_ROWS, e.reason());
        assertTrue(e.getMessage().contains("3 of 7 rows malformed (42.86%, limit 40.00%)"), e.getMessage());
        assertTrue(e.getMessage().contains("abstract_algebra_test.csv:5: answer 'E' is not one of ABCD [BAD_ANSWER]"),
                e.getMessage());
    }

    @Test
    void jsonlRowsAreCountedWithFileAndLine() throws IOException {
        Path dir = BenchmarkSlices.copy("gsm8k", tmp);
        replaceLines(dir.resolve("test.jsonl"), new int[] {2, 3, 4, 6, 7},
                new String[] {"{\"question\": \"q\", \"answer\": ", "{\"question\": \"q\"}",
                    "{\"question\": \"q\", \"answer\": \"no final line\"}", "[1, 2]",
                    "{\"question\": \"q\", \"answer\": \"#### 1\"} {\"x\": 1}"});
        LoadedSplit s = JsonlLoader.GSM8K.load(DataDir.local(dir), "test");
        assertEquals(List.of("test.jsonl:2", "test.jsonl:3", "test.jsonl:4", "test.jsonl:6", "test.jsonl:7"), where(s));
        assertEquals(List.of(MalformedRow.Reason.BAD_JSON, MalformedRow.Reason.MISSING_FIELD,
                MalformedRow.Reason.BAD_ANSWER, MalformedRow.Reason.BAD_JSON, MalformedRow.Reason.BAD_JSON),
                s.malformed().stream().map(MalformedRow::reason).toList());
        assertEquals(List.of("0", "4"), s.items().stream().map(Item::id).toList());
        assertEquals("no field 'answer'", s.malformed().get(1).detail());
    }

    @Test
    void genericRowsWithDuplicateIdsOrBadChoices() throws IOException {
        Path file = tmp.resolve("test.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"id\": \"a\", \"question\": \"q\", \"choices\": [\"x\", \"y\"], \"answer\": 0}",
                "{\"id\": \"a\", \"question\": \"q\", \"choices\": [\"x\", \"y\"], \"answer\": 1}",
                "{\"id\": \"b\", \"question\": \"q\", \"choices\": \"x\", \"answer\": 0}",
                "{\"id\": \"c\", \"question\": \"q\", \"choices\": [\"x\", 2], \"answer\": 0}",
                "{\"id\": \"d\", \"question\": \"q\", \"choices\": [\"x\", \"y\"], \"answer\": 2}",
                "{\"id\": \"e\", \"question\": \" \", \"choices\": [\"x\", \"y\"], \"answer\": \"B\"}",
                "{\"id\": \"f\", \"question\": \"q\", \"choices\": [\"x\", \"y\"], \"answer\": \"B\", \"id\": \"g\"}"));
        LoadedSplit s = JsonlLoader.multipleChoice(JsonlFields.DEFAULT).load(DataDir.local(tmp), "test");
        assertEquals(1, s.items().size());
        assertEquals(List.of(MalformedRow.Reason.DUPLICATE_ID, MalformedRow.Reason.MISSING_FIELD,
                MalformedRow.Reason.MISSING_FIELD, MalformedRow.Reason.BAD_ANSWER, MalformedRow.Reason.MISSING_FIELD,
                MalformedRow.Reason.BAD_JSON), s.malformed().stream().map(MalformedRow::reason).toList());
        assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 7L), s.malformed().stream().map(m -> m.where().line()).toList());
    }

    @Test
    void aSplitWithoutAGoodItemIsRefusedWhateverTheLimitAndLongListsAreCut() throws IOException {
        Files.writeString(tmp.resolve("test.jsonl"), "{}\n".repeat(12));
        LoadedSplit s = JsonlLoader.AIME.load(DataDir.local(tmp), "test");
        assertEquals(12, s.malformed().size());
        BenchmarkFormatException e = assertThrows(BenchmarkFormatException.class,
                () -> s.requireMalformedShareAtMost(1.0));
        assertEquals(BenchmarkFormatException.Reason.NO_DATA, e.reason());
        assertTrue(e.getMessage().contains("test.jsonl:10: no field 'id'"), e.getMessage());
        assertTrue(e.getMessage().contains("; and 2 more"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.requireMalformedShareAtMost(1.5));
    }

    @Test
    void bytesThatAreNotUtf8FailTheFile() throws IOException {
        Path dir = BenchmarkSlices.copy("cmmlu", tmp);
        byte[] bytes = Files.readAllBytes(dir.resolve("test/agronomy.csv"));
        bytes[40] = (byte) 0xff;
        Files.write(dir.resolve("test/agronomy.csv"), bytes);
        BenchmarkFormatException e = assertThrows(BenchmarkFormatException.class,
                () -> CsvChoiceLoader.CMMLU.load(DataDir.local(dir), "test"));
        assertEquals(BenchmarkFormatException.Reason.BAD_ENCODING, e.reason());
        assertTrue(e.getMessage().contains("agronomy.csv"), e.getMessage());
    }
}
