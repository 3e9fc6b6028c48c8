package io.quantsweep.eval.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.bench.Location;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** lm-eval's draws against CPython's; the other selections are covered by {@link PromptBuilderTest}. */
class ShotSelectionTest {
    private static List<Item> items(String file, String subject, int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> Item.free(subject + "/" + i, subject, "q" + i, "0", "", new Location(file, i + 1)))
                .toList();
    }

    private static int[] lines(List<Item> shots) {
        return shots.stream().mapToInt(s -> (int) s.where().line() - 1).toArray();
    }

    @Test
    void lmEvalGivesEachGsm8kQuestionTheHarnessExemplars() throws IOException {
        // lm-evaluation-harness's gsm8k: 1,319 test rows, 5 of the 7,473 train rows each, Random(1234) for the task
        List<Item> test = items("test.jsonl", "", 1319);
        ShotSelection.Exemplars exemplars = ShotSelection.LM_EVAL.prepare(test, items("train.jsonl", "", 7473), 5, 1234);
        List<String> reference = PythonRandomTest.reference("gsm8k");
        assertEquals(1319, reference.size());
        for (int i = 0; i < test.size(); i++) {
            String[] f = reference.get(i).split(" ");
            assertArrayEquals(PythonRandomTest.ints(f[1]), lines(exemplars.of(test.get(i))), "test row " + i);
        }
    }

    @Test
    void lmEvalDrawsEachSubjectFromItsOwnGeneratorInSplitOrder() {
        List<Item> a = items("test.csv", "a", 4);
        List<Item> b = items("test-b.csv", "b", 3);
        List<Item> split = List.of(a.get(0), b.get(0), a.get(1), a.get(2), b.get(1), b.get(2), a.get(3));
        List<Item> pool = new ArrayList<>(items("dev-a.csv", "a", 30));
        pool.addAll(items("dev-b.csv", "b", 9));
        ShotSelection.Exemplars exemplars = ShotSelection.LM_EVAL.prepare(split, pool, 3, 7);
        PythonRandom forA = new PythonRandom(7);
        for (Item q : a) {
            assertArrayEquals(forA.sample(30, 3), lines(exemplars.of(q)), q.id());
        }
        PythonRandom forB = new PythonRandom(7);
        for (Item q : b) {
            List<Item> shots = exemplars.of(q);
            assertTrue(shots.stream().allMatch(s -> s.subject().equals("b")), shots.toString());
            assertArrayEquals(forB.sample(9, 3), lines(shots), q.id());
        }
    }

    @Test
    void lmEvalFromTheScoredSplitDrawsOneMoreAndDropsTheQuestion() {
        List<Item> dev = items("dev.csv", "a", 8);
        ShotSelection.Exemplars exemplars = ShotSelection.LM_EVAL.prepare(dev, dev, 2, 1234);
        PythonRandom r = new PythonRandom(1234);
        int dropped = 0;
        for (int q = 0; q < dev.size(); q++) {
            int[] drawn = r.sample(8, 3);
            int question = q;
            int[] expected = Arrays.stream(drawn).filter(i -> i != question).limit(2).toArray();
            dropped += Arrays.stream(drawn).anyMatch(i -> i == question) ? 1 : 0;
            assertArrayEquals(expected, lines(exemplars.of(dev.get(q))), "dev row " + q);
        }
        assertTrue(dropped > 0, "some draw held its own question");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShotSelection.LM_EVAL.prepare(dev, dev, 8, 1234));
        assertEquals("dev.csv:1: 8-shot prompt for item 'a/0' needs 8 exemplars of subject 'a', the few-shot pool has 7",
                e.getMessage());
    }

    @Test
    void anItemOutsideTheDrawnSplitIsRefused() {
        ShotSelection.Exemplars exemplars = ShotSelection.LM_EVAL.prepare(items("t.jsonl", "", 2),
                items("p.jsonl", "", 9), 2, 1234);
        Item stranger = new Item("x", "", "q", List.of(), "0", "", Map.of(), new Location("other.jsonl", 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> exemplars.of(stranger));
        assertEquals("other.jsonl:4: item 'x' is not in the split whose exemplars were drawn", e.getMessage());
    }
}
