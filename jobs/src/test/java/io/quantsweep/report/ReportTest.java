package io.quantsweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.plan.DeploymentTargets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    private static final double EPS = 1e-9;

    @TempDir
    Path dir;

    private Analysis read(Path root) throws IOException {
        return Analysis.read(RealModelFiles.fs(), RealModelFiles.hadoop(root), DeploymentTargets.builtIn());
    }

    @Test
    void variantsOfBothPartsMatchOnTheirKeyBaselineFirstThenLargest() throws IOException {
        List<Analysis.Variant> vs = read(ReportFixture.tiny(dir)).variants();
        assertEquals(List.of(new Analysis.Variant("Q8_0", Optional.of("Q8_0"), Optional.of("q8_0")),
                new Analysis.Variant("Q4_K_M", Optional.of("Q4_K_M"), Optional.of("q4_k_m")),
                new Analysis.Variant("api", Optional.empty(), Optional.of("api"))), vs);
    }

    @Test
    void paperTableWithTheSweepsWeights() throws IOException {
        Analysis a = read(ReportFixture.tiny(dir));
        PaperTable t = PaperTable.of(a.eval().orElseThrow(), List.of("q8_0", "q4_k_m", "api"));
        assertEquals(List.of("aime24", "gsm8k", "mmlu"), t.benchmarks());
        assertEquals((80 + 60 + 30) / 3.0, t.average().get("q8_0"), EPS);
        assertEquals((80 * 2 + 60 + 30 * 0.4) / 3.4, t.weighted().get("q8_0"), EPS);
        assertEquals((70 * 2 + 56 + 40 * 0.4) / 3.4, t.weighted().get("q4_k_m"), EPS);
        double base = (80 * 2 + 60 + 30 * 0.4) / 3.4;
        assertEquals(100 * (base - (70 * 2 + 56 + 40 * 0.4) / 3.4) / base, t.drop().get("q4_k_m"), EPS);
        // api has no aime24: against the baseline over mmlu and gsm8k alone, as eval/summary compares it
        double baseOfApi = (80 * 2 + 60) / 3.0;
        assertEquals(100 * (baseOfApi - (90 * 2 + 70) / 3.0) / baseOfApi, t.drop().get("api"), EPS);
        assertTrue(t.drop().get("api") < 0, "a better variant has a negative drop");
        assertTrue(Double.isNaN(t.drop().get("q8_0")));
        assertTrue(!t.paperWeights());
    }

    @Test
    void withoutAWeightColumnThePapersWeightsApply() throws IOException {
        Schema noWeight = SchemaBuilder.record("Summary").fields().requiredString("variant").requiredString("benchmark")
                .requiredString("baseline").requiredDouble("accuracy").endRecord();
        List<GenericRecord> rows = new ArrayList<>();
        for (ReportFixture.Score s : ReportFixture.tinyScores()) {
            GenericRecord full = s.record();
            GenericRecord r = new org.apache.avro.generic.GenericData.Record(noWeight);
            noWeight.getFields().forEach(f -> r.put(f.name(), full.get(f.name())));
            rows.add(r);
        }
        ReportFixture.writeTable(dir.resolve(Columns.Folders.SUMMARY), noWeight, rows);
        PaperTable t = PaperTable.of(read(dir).eval().orElseThrow(), List.of("q8_0", "q4_k_m", "api"));
        assertTrue(t.paperWeights());
        // mmlu 2, aime 0.4; gsm8k has no paper weight
        assertEquals((80 * 2 + 30 * 0.4) / 2.4, t.weighted().get("q8_0"), EPS);
        assertEquals((70 * 2 + 40 * 0.4) / 2.4, t.weighted().get("q4_k_m"), EPS);
        assertTrue(Double.isNaN(t.weighted().get("api")), "api lacks aime24, which has a paper weight");
    }

    @Test
    void aVariantWithoutEveryBenchmarkHasNoAverageAndNoPoint() throws IOException {
        Analysis a = read(ReportFixture.gap(dir));
        PaperTable t = PaperTable.of(a.eval().orElseThrow(), List.of("q8_0", "q4_k_m", "api"));
        assertEquals(Map.of("q8_0", List.of(), "q4_k_m", List.of("aime24"), "api", List.of("aime24")), t.missing());
        assertEquals((80 + 60 + 30) / 3.0, t.average().get("q8_0"), EPS);
        assertEquals((80 * 2 + 60 + 30 * 0.4) / 3.4, t.weighted().get("q8_0"), EPS);
        for (String v : List.of("q4_k_m", "api")) {
            assertTrue(Double.isNaN(t.average().get(v)) && Double.isNaN(t.weighted().get(v)), v + ": over fewer benchmarks than q8_0");
        }
        // the drop still compares like with like: the baseline over the variant's own benchmarks
        double base = (80 * 2 + 60) / 3.0;
        assertEquals(100 * (base - (70 * 2 + 56) / 3.0) / base, t.drop().get("q4_k_m"), EPS);

        String html = HtmlReport.render(a);
        assertTrue(html.contains("<tr class=\"aggregate\" data-row=\"average\"><th>Average</th><td>56.67</td><td>–</td><td>–</td></tr>"), html);
        assertTrue(html.contains("<tr class=\"aggregate\" data-row=\"weighted\"><th>Weighted avg.</th><td>68.24</td><td>–</td><td>–</td></tr>"));
        assertTrue(html.contains("<tr class=\"aggregate\" data-row=\"drop\"><th>Accuracy drop</th><td>–</td><td>10.91%</td><td>-13.64%</td></tr>"));
        assertTrue(html.contains("Q4_K_M (missing: aime24), api (missing: aime24)"), "the note says why");
        assertEquals(1, count(html, "<circle "), "Q4_K_M has no weighted score to draw");
        assertTrue(html.contains("Not drawn, without a weighted score: Q4_K_M."));
    }

    @Test
    void theNoteSaysWhatTheSpreadAndTheTestAreAndWhatTheTableCannotCompare() throws IOException {
        String tiny = HtmlReport.render(read(ReportFixture.tiny(dir.resolve("tiny"))));
        assertTrue(tiny.contains("± the standard deviation of the accuracy over the k runs where each item has k ≥ 2 samples"));
        assertTrue(tiny.contains("against the baseline Q8_0 on each item's first sample"), tiny);
        assertTrue(tiny.contains("<td data-variant=\"Q8_0\" title=\"100 items, standard error 4.02\">80.00</td>"), tiny);
        assertTrue(tiny.contains("<td data-variant=\"Q8_0\" title=\"10 items × 4 samples, pass@4 40.00, cons@4 35.00, standard error 15.28\">30.00 "), tiny);
        assertFalse(tiny.contains("not over the same items") || tiny.contains("no relative drop"), tiny);

        // summaries no sweep writes: q4_k_m over 10 mmlu items, and a baseline that scores nothing
        ReportFixture.writeSummary(dir, ReportFixture.tinyScores().stream().map(s -> new ReportFixture.Score(s.variant(),
                s.benchmark(), s.baseline(), s.variant().equals("q8_0") ? 0 : s.accuracy(), s.std(),
                s.variant().equals("q4_k_m") && s.benchmark().equals("mmlu") ? 10 : s.items(), s.weight(), s.pValue())).toList());
        ReportFixture.writeStats(dir, ReportFixture.tinyStats());
        String html = HtmlReport.render(read(dir));
        assertTrue(html.contains(" Scores not over the same items, which compare different questions: mmlu (Q8_0: 100 "
                + "items, Q4_K_M: 10 items, api: 100 items)."), html);
        assertTrue(html.contains(" The baseline's weighted average is 0, from which no relative drop can be taken."), html);
        assertTrue(html.contains("<tr class=\"aggregate\" data-row=\"drop\"><th>Accuracy drop</th><td>–</td><td>–</td><td>–</td></tr>"),
                html);
    }

    @Test
    void aMissingBenchmarkWithoutWeightLeavesTheWeightedAverage() throws IOException {
        // gsm8k counts in the plain average only, and q4_k_m has no score on it
        ReportFixture.writeSummary(dir, ReportFixture.tinyScores().stream()
                .filter(s -> !(s.variant().equals("q4_k_m") && s.benchmark().equals("gsm8k")))
                .map(s -> new ReportFixture.Score(s.variant(), s.benchmark(), s.baseline(), s.accuracy(), s.std(), s.items(),
                        s.benchmark().equals("gsm8k") ? 0 : s.weight(), s.pValue())).toList());
        ReportFixture.writeStats(dir, ReportFixture.tinyStats());
        PaperTable t = PaperTable.of(read(dir).eval().orElseThrow(), List.of("q8_0", "q4_k_m", "api"));
        assertTrue(Double.isNaN(t.average().get("q4_k_m")));
        assertEquals((70 * 2 + 40 * 0.4) / 2.4, t.weighted().get("q4_k_m"), EPS);
        assertTrue(Double.isNaN(t.weighted().get("api")), "api lacks aime24, weight 0.4");
        assertEquals(2, count(HtmlReport.render(read(dir)), "<circle "), "both quantized variants have a weighted score");
    }

    @Test
    void significanceMarks() {
        assertEquals("**", PaperTable.marks(0.004));
        assertEquals("*", PaperTable.marks(0.03));
        assertEquals("", PaperTable.marks(0.05));
        assertEquals("", PaperTable.marks(Double.NaN));
    }

    @Test
    void bitsPerWeightAndErrorsFromTheTensorStatistics() throws IOException {
        QuantStats q = read(ReportFixture.tiny(dir)).quant().orElseThrow();
        assertEquals(List.of("Q4_K_M", "Q8_0"), q.variants());
        // 6 tensors of 256 in Q8_0 (272 bytes) and 2 F32 norms (1024 bytes)
        assertEquals(6 * 272 + 2 * 1024, q.bytes("Q8_0"));
        assertEquals((6 * 272 + 2 * 1024) * 8.0 / 2048, q.bitsPerWeight("Q8_0"), EPS);
        // 4 in Q4_K (144 bytes), 2 in Q6_K (210 bytes), 2 F32
        assertEquals(4 * 144 + 2 * 210 + 2 * 1024, q.bytes("Q4_K_M"));
        QuantStats.KindTotal ffnDown = q.byKind("Q4_K_M").stream().filter(k -> k.kind().equals("ffn_down")).findFirst().orElseThrow();
        assertEquals((144 + 210) * 8.0 / 512, ffnDown.bitsPerWeight(), EPS);
        assertEquals(List.of("attn_q", "ffn_down", "output", "token_embd"), q.lossyKinds());
        assertEquals(List.of(-1, 0, 1), q.layers());
        assertEquals("blk.1.attn_q.weight", q.worst("Q4_K_M").name());
        assertEquals(0.004, q.errorRange()[0], EPS);
        assertEquals(0.08, q.errorRange()[1], EPS);
        assertEquals("Q6_K", q.cells("Q4_K_M").get(1).get("ffn_down").type());
    }

    @Test
    void pageHasTheTableTheChartsAndNothingFetched() throws IOException {
        String html = HtmlReport.render(read(ReportFixture.tiny(dir)));
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
        for (String b : List.of("mmlu", "gsm8k", "aime24")) {
            assertTrue(html.contains("<tr class=\"benchmark\" data-benchmark=\"" + b + "\">"), b);
        }
        // q4_k_m on mmlu: 70.00 with two marks; on gsm8k 56.00 with one; aime24 with the ± and no mark
        assertTrue(html.contains("<td data-variant=\"Q4_K_M\" title=\"100 items, standard error 4.61\">70.00<sup class=\"sig\" "
                + "title=\"McNemar p = 0.00400\">**</sup></td>"), html);
        assertTrue(html.contains("<td data-variant=\"Q4_K_M\" title=\"50 items, standard error 7.09\">56.00<sup class=\"sig\" title=\"McNemar p = 0.0300\">*</sup></td>"));
        assertTrue(html.contains("<td data-variant=\"Q4_K_M\" title=\"10 items × 4 samples, pass@4 60.00, cons@4 50.00, standard error 16.33\">40.00 <span class=\"pm\">±10.00</span></td>"));
        assertTrue(html.contains("<td data-variant=\"api\">–</td>"), "api has no aime24 score");
        assertEquals(12, count(html, "class=\"cell\""), "6 lossy tensors per quantized variant");
        assertEquals(2, count(html, "<circle "), "the variants with size and score");
        assertEquals(2, count(html, "on-front"), "each is smaller or better than the other");
        assertEquals(10, count(html, "class=\"segment\""), "5 kinds with bits in each variant");
        assertTrue(html.contains("Beyond twice the largest variant, not drawn: 8xH100-80GB, 8xA100-80GB, 8xAscend910B-64GB."));
        Matcher m = Pattern.compile("(?i)(src|href)\\s*=|<script|<link|@import|url\\(").matcher(html);
        assertTrue(!m.find(), "nothing fetched: " + (m.hitEnd() ? "" : html.substring(Math.max(0, m.start() - 40), m.end() + 40)));
        assertEquals(html, HtmlReport.render(read(dir)), "same folder, same page");
    }

    @Test
    void divergenceTable() throws IOException {
        String html = HtmlReport.render(read(ReportFixture.tiny(dir)));
        assertTrue(html.contains("<tr data-variant=\"Q4_K_M\" data-benchmark=\"wiki\"><th>Q4_K_M</th><td>wiki</td><td>512</td>"
                + "<td>20</td><td>0.0123</td><td>95.00%</td></tr>"), html);
        assertTrue(html.contains("<tr data-variant=\"api\" data-benchmark=\"wiki\"><th>api</th><td>wiki</td><td>512</td>"
                + "<td>20</td><td>–</td><td>–</td></tr>"));
    }

    @Test
    void variantsWithoutBothASizeAndAScore() throws IOException {
        Analysis a = read(ReportFixture.apart(dir));
        assertEquals(List.of("bf16", "Q8_0", "Q4_K_M", "f16"), a.variants().stream().map(Analysis.Variant::name).toList());
        String html = HtmlReport.render(a);
        assertTrue(html.contains("No variant has both tensor statistics and a weighted score."));
        assertEquals(0, count(html, "<circle "));
        assertEquals(12, count(html, "class=\"cell\""));
    }

    @Test
    void eitherPartAlone() throws IOException {
        ReportFixture.writeStats(dir.resolve("q"), ReportFixture.tinyStats());
        String quantOnly = HtmlReport.render(read(dir.resolve("q")));
        assertTrue(quantOnly.contains("id=\"errors\"") && quantOnly.contains("id=\"bits\"") && !quantOnly.contains("id=\"scores\"")
                && !quantOnly.contains("id=\"size-score\""));
        ReportFixture.writeSummary(dir.resolve("e"), ReportFixture.tinyScores());
        String evalOnly = HtmlReport.render(read(dir.resolve("e")));
        assertTrue(evalOnly.contains("id=\"scores\"") && !evalOnly.contains("id=\"errors\""));
    }

    @Test
    void aSweepThatScoredNoBenchmarkShowsItsDivergence() throws IOException {
        // as versions that wrote a summary without rows left it
        Analysis old = read(ReportFixture.kldOnly(dir.resolve("old")));
        assertTrue(old.eval().isEmpty() && old.quant().isEmpty(), "no sweep summary");
        assertEquals(List.of("q2_k", "q4_k_m"), old.kld().orElseThrow().rows().stream().map(Divergence.Row::variant).toList());
        String html = HtmlReport.render(old);
        assertTrue(html.contains("id=\"kld\"") && !html.contains("id=\"scores\"") && html.contains("no sweep summary"), html);

        // as the sweep writes it now: eval/kld alone
        Path now = dir.resolve("now");
        ReportFixture.writeKld(now, "q8_0", List.<Object[]>of(new Object[] {"q4_k_m", "wiki", 512L, 0.0123, 0.95}));
        assertTrue(HtmlReport.render(read(now)).contains("<tr data-variant=\"q4_k_m\" data-benchmark=\"wiki\">"));

        // beside the quantization statistics
        ReportFixture.writeStats(dir.resolve("old"), ReportFixture.tinyStats());
        Analysis both = read(dir.resolve("old"));
        assertTrue(both.eval().isEmpty() && both.quant().isPresent() && both.kld().isPresent());
        assertTrue(HtmlReport.render(both).contains("id=\"kld\""));

        // a summary without rows is no output root on its own
        Path empty = dir.resolve("empty");
        ReportFixture.writeTable(empty.resolve(Columns.Folders.SUMMARY), ReportFixture.SUMMARY, List.of());
        assertRefused(empty, "eval/summary has no rows");
    }

    @Test
    void aSummaryFolderWithoutPartFilesIsRefused() throws IOException {
        ReportFixture.writeStats(dir, ReportFixture.tinyStats());
        Path summary = Files.createDirectories(dir.resolve(Columns.Folders.SUMMARY));
        Files.write(summary.resolve("_SUCCESS"), new byte[0]);
        assertRefused(dir, "eval/summary: no Parquet part file in ");
        assertRefused(dir, summary.toString());
    }

    @Test
    void tablesWithoutRowsNameTheirFolder() throws IOException {
        Path stats = dir.resolve("stats");
        ReportFixture.writeTable(stats.resolve(Columns.Folders.TENSOR_STATS), ReportFixture.TENSOR_STATS, List.of());
        assertRefused(stats, "quant/_stats/tensors (");
        assertRefused(stats, stats.resolve(Columns.Folders.TENSOR_STATS) + "): no rows");

        // the sweep's own weighted averages without the scores they average
        Path averages = dir.resolve("averages");
        ReportFixture.writeTable(averages.resolve(Columns.Folders.SUMMARY), ReportFixture.SUMMARY,
                List.of(ReportFixture.weightedAverageRow("q8_0", ReportFixture.tinyScores())));
        assertRefused(averages, averages.resolve(Columns.Folders.SUMMARY) + "): no rows of kind 'benchmark'");
    }

    @Test
    void refusalsNameTheTableAndColumn() throws IOException {
        ReportInputException none = assertThrows(ReportInputException.class, () -> read(dir));
        assertTrue(none.getMessage().contains("neither quant/_stats/tensors (quantize) nor eval/summary or eval/kld (sweep)"),
                none.getMessage());

        Schema noAccuracy = SchemaBuilder.record("S").fields().requiredString("variant").requiredString("benchmark")
                .requiredString("baseline").endRecord();
        GenericRecord r = new org.apache.avro.generic.GenericData.Record(noAccuracy);
        r.put("variant", "a");
        r.put("benchmark", "b");
        r.put("baseline", "a");
        ReportFixture.writeTable(dir.resolve(Columns.Folders.SUMMARY), noAccuracy, List.of(r));
        ReportInputException missing = assertThrows(ReportInputException.class, () -> read(dir));
        assertTrue(missing.getMessage().startsWith("eval/summary (") && missing.getMessage().contains(
                "column 'accuracy' is missing; the table has [variant, benchmark, baseline]"), missing.getMessage());
    }

    @Test
    void contradictoryRowsAreRefused() throws IOException {
        List<ReportFixture.Score> twice = new ArrayList<>(ReportFixture.tinyScores());
        twice.add(new ReportFixture.Score("api", "mmlu", "q8_0", 0.5, Double.NaN, 100, 2, 0.1));
        ReportFixture.writeSummary(dir.resolve("twice"), twice);
        assertRefused(dir.resolve("twice"), "row 8: api on mmlu again (first at row 6 of ");

        List<ReportFixture.Score> weights = new ArrayList<>(ReportFixture.tinyScores());
        weights.add(new ReportFixture.Score("api", "aime24", "q8_0", 0.5, Double.NaN, 10, 1, 0.1));
        ReportFixture.writeSummary(dir.resolve("weights"), weights);
        assertRefused(dir.resolve("weights"), "row 8: weight 1.0 of aime24 differs from 0.4 on an earlier row");

        ReportFixture.writeSummary(dir.resolve("baseline"), List.of(
                new ReportFixture.Score("a", "mmlu", "b", 0.5, Double.NaN, 10, 1, Double.NaN)));
        assertRefused(dir.resolve("baseline"), "eval/summary: the baseline 'b' has no row; variants: [a]");

        ReportFixture.writeSummary(dir.resolve("range"), List.of(
                new ReportFixture.Score("a", "mmlu", "a", 50, Double.NaN, 10, 1, Double.NaN)));
        assertRefused(dir.resolve("range"), "row 0: accuracy 50.0 of a on mmlu is not in [0, 1]");

        ReportFixture.writeStats(dir.resolve("names"), List.of(
                new ReportFixture.Stat("Q4_K_M", "t", -1, "t", io.quantsweep.quant.GgmlType.Q4_K, 256, 0.1),
                new ReportFixture.Stat("q4-k-m", "t", -1, "t", io.quantsweep.quant.GgmlType.Q4_K, 256, 0.1)));
        ReportInputException e = assertThrows(ReportInputException.class, () -> read(dir.resolve("names")).variants());
        assertEquals("quant/_stats/tensors: variants 'Q4_K_M' and 'q4-k-m' cannot be told apart", e.getMessage());
    }

    @Test
    void paretoFrontKeepsWhatNothingBeats() {
        Charts.Point big = new Charts.Point("big", 10, 80, false);
        Charts.Point mid = new Charts.Point("mid", 6, 79, false);
        Charts.Point worse = new Charts.Point("worse", 7, 70, false);
        Charts.Point small = new Charts.Point("small", 3, 60, false);
        Charts.Point tie = new Charts.Point("tie", 6, 79, false);
        assertEquals(List.of(small, mid, tie, big), Charts.paretoFront(List.of(big, mid, worse, small, tie)));
    }

    @Test
    void axesAndColours() {
        Charts.Axis a = Charts.Axis.of(0, 377.3, 6);
        assertEquals(List.of(0.0, 50.0, 100.0, 150.0, 200.0, 250.0, 300.0, 350.0, 400.0), a.ticks());
        assertEquals("0.005", Charts.Axis.of(0, 0.012, 4).label(0.005));
        assertEquals("#440154", Charts.viridis(0));
        assertEquals("#fde725", Charts.viridis(1));
        assertEquals("#21918c", Charts.viridis(0.5));
        assertEquals(0.5, Charts.scale(0.01, 0.001, 0.1), EPS);
        assertEquals("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;", Svg.escape("a <b> & \"c\" 'd'"));
        assertEquals("3", Svg.num(3.0001));
        assertEquals("0", Svg.num(-0.001));
    }

    private void assertRefused(Path root, String message) {
        ReportInputException e = assertThrows(ReportInputException.class, () -> read(root));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
