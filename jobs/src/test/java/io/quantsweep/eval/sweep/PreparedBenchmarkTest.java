package io.quantsweep.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.bench.BenchmarkFormatException;
import io.quantsweep.eval.bench.BenchmarkSlices;
import io.quantsweep.eval.bench.CsvChoiceLoader;
import io.quantsweep.eval.bench.DataDir;
import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.bench.JsonlLoader;
import io.quantsweep.eval.prompt.Prompt;
import io.quantsweep.eval.prompt.PromptShots;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep file's benchmark made ready over the real slices. */
class PreparedBenchmarkTest {
    private static List<Item> train() throws IOException {
        return JsonlLoader.GSM8K.load(BenchmarkSlices.dir("gsm8k"), "train").items();
    }

    private static BenchmarkSpec spec(String... benchmarkLines) throws SweepFormatException {
        StringBuilder yaml = new StringBuilder("name: t\nbaseline: a\nvariants:\n  - {name: a, gguf: /m/a.gguf}\n"
                + "benchmarks:\n  - name: b\n");
        for (String line : benchmarkLines) {
            yaml.append("    ").append(line).append('\n');
        }
        return SweepFile.parse(yaml.toString(), "t.yaml").benchmarks().get(0);
    }

    @Test
    void mmluWithALimitAndFiveShotsFromDev() throws IOException {
        BenchmarkSpec spec = spec("loader: mmlu", "path: p", "n-shot: 5", "template: mmlu-lm-eval",
                "scoring: mc-logprob", "limit: 3", "seed: 11");
        PreparedBenchmark b = PreparedBenchmark.prepare(spec, BenchmarkSlices.dir("mmlu"), 0.0);
        assertEquals(3, b.items().size());
        assertEquals(List.of(), b.malformed());
        Prompt p = b.prompts().build(b.items().get(0));
        List<Item> dev = CsvChoiceLoader.MMLU.load(BenchmarkSlices.dir("mmlu"), "dev").items();
        assertEquals(5, PromptShots.ids(p, b.items().get(0), dev).size());
        assertEquals("mmlu-lm-eval+none", p.templateId());
        assertTrue(p.text().endsWith(b.items().get(0).choices().get(3) + "\nAnswer:"));
    }

    @Test
    void exemplarsFromTheScoredSplitOrFromOtherSubjectsAreWarnedOf(@TempDir Path tmp) throws IOException {
        BenchmarkSpec fromDev = spec("loader: mmlu", "path: p", "n-shot: 2", "template: mmlu-lm-eval",
                "scoring: mc-logprob");
        assertEquals(List.of(), PreparedBenchmark.prepare(fromDev, BenchmarkSlices.dir("mmlu"), 0.0).warnings());
        BenchmarkSpec fromTest = spec("loader: mmlu", "path: p", "shots-split: test", "n-shot: 2",
                "template: mmlu-lm-eval", "scoring: mc-logprob");
        assertEquals(List.of("benchmark b: the exemplars come from the scored split 'test' (an item's own excluded)"),
                PreparedBenchmark.prepare(fromTest, BenchmarkSlices.dir("mmlu"), 0.0).warnings());

        Path dir = BenchmarkSlices.copy("mmlu", tmp);
        Files.move(dir.resolve("dev/abstract_algebra_dev.csv"), dir.resolve("dev/anatomy_dev.csv"));
        List<String> other = PreparedBenchmark.prepare(fromDev, DataDir.local(dir), 0.0).warnings();
        assertEquals(List.of("benchmark b: the few-shot split 'dev' has no item of subject 'abstract_algebra', whose "
                + "prompts take other subjects' exemplars"), other);
    }

    @Test
    void gsm8kDrawsExemplarsFromTrain() throws IOException {
        BenchmarkSpec spec = spec("loader: gsm8k", "path: p", "shots-split: train", "n-shot: 8",
                "shot-selection: seeded", "template: gsm8k-lm-eval", "scoring: numeric", "max-tokens: 256");
        PreparedBenchmark b = PreparedBenchmark.prepare(spec, BenchmarkSlices.dir("gsm8k"), 0.0);
        assertEquals(5, b.items().size());
        Item last = b.items().get(4);
        assertEquals(8, PromptShots.ids(b.prompts().build(last), last, train()).size());
        BenchmarkSpec tooMany = spec("loader: gsm8k", "path: p", "shots-split: train", "n-shot: 9",
                "template: gsm8k-lm-eval", "scoring: numeric", "max-tokens: 256");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PreparedBenchmark.prepare(tooMany, BenchmarkSlices.dir("gsm8k"), 0.0));
        assertTrue(e.getMessage().contains("the few-shot pool has 8"), e.getMessage());
    }

    @Test
    void lmEvalExemplarsFollowEachQuestionsPlaceInTheWholeSplitWhateverTheLimitKeeps() throws IOException {
        String[] lines = {"loader: gsm8k", "path: p", "shots-split: train", "n-shot: 2", "template: gsm8k-lm-eval",
            "scoring: numeric", "max-tokens: 256"};
        PreparedBenchmark all = PreparedBenchmark.prepare(spec(lines), BenchmarkSlices.dir("gsm8k"), 0.0);
        List<String> withLimit = new ArrayList<>(List.of(lines));
        withLimit.add("limit: 2");
        PreparedBenchmark limited = PreparedBenchmark.prepare(spec(withLimit.toArray(String[]::new)),
                BenchmarkSlices.dir("gsm8k"), 0.0);
        assertEquals(2, limited.items().size());
        assertNotEquals(all.items().subList(0, 2), limited.items(), "the seeded subset is not the first rows");
        for (Item kept : limited.items()) {
            assertEquals(all.prompts().build(kept), limited.prompts().build(kept), kept.id());
        }
        // the slice's 8 train rows, drawn for the 5 test rows in turn by Python's Random(1234)
        List<Item> train = train();
        List<List<String>> shots = all.items().stream().map(i -> PromptShots.ids(all.prompts().build(i), i, train)).toList();
        assertEquals(List.of(List.of("7", "0"), List.of("0", "7"), List.of("0", "5"), List.of("1", "0"),
                List.of("5", "1")), shots);
    }

    @Test
    void malformedRowsBeyondTheShareFailThePreparation(@TempDir Path tmp) throws IOException {
        Path dir = BenchmarkSlices.copy("mmlu", tmp);
        Path dev = dir.resolve("dev/abstract_algebra_dev.csv");
        List<String> lines = new ArrayList<>(Files.readAllLines(dev, StandardCharsets.UTF_8));
        lines.set(0, "broken,row");
        Files.write(dev, lines, StandardCharsets.UTF_8);
        BenchmarkSpec spec = spec("loader: mmlu", "path: p", "n-shot: 4", "template: mmlu-lm-eval",
                "scoring: mc-logprob");
        BenchmarkFormatException e = assertThrows(BenchmarkFormatException.class,
                () -> PreparedBenchmark.prepare(spec, DataDir.local(dir), 0.05));
        assertEquals(BenchmarkFormatException.Reason.TOO_MANY_MALFORMED_ROWS, e.reason());
        PreparedBenchmark lenient = PreparedBenchmark.prepare(spec, DataDir.local(dir), 0.1);
        assertEquals(1, lenient.malformed().size());
        assertEquals(1, lenient.malformed().get(0).where().line());
    }

    @Test
    void sampleSeedsArePerItemAndSampleAndFitIn31Bits() throws SweepFormatException {
        BenchmarkSpec spec = spec("loader: aime", "path: p", "template: math-boxed", "scoring: boxed",
                "max-tokens: 9", "seed: 1234");
        Set<Long> seeds = new HashSet<>();
        for (String id : List.of("60", "61", "62")) {
            for (int j = 0; j < 64; j++) {
                long s = spec.sampleSeed(id, j);
                assertTrue(s >= 0 && s < (1L << 31), Long.toString(s));
                seeds.add(s);
            }
        }
        assertEquals(3 * 64, seeds.size());
        assertEquals(spec.sampleSeed("60", 0), spec.sampleSeed("60", 0));
        BenchmarkSpec other = spec("loader: aime", "path: p", "template: math-boxed", "scoring: boxed",
                "max-tokens: 9", "seed: 1235");
        assertNotEquals(spec.sampleSeed("60", 0), other.sampleSeed("60", 0));
    }

    @Test
    void itemsAreTheSplitsOwn() throws IOException {
        BenchmarkSpec spec = spec("loader: cmmlu", "path: p", "template: zh-mcq", "scoring: mc-generate",
                "max-tokens: 16");
        List<Item> items = PreparedBenchmark.prepare(spec, BenchmarkSlices.dir("cmmlu"), 0.0).items();
        assertEquals(6, items.size());
        assertEquals("agronomy/0", items.get(0).id());
    }
}
