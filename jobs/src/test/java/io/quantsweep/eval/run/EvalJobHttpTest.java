package io.quantsweep.eval.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.eval.backend.http.FakeInferenceServer;
import io.quantsweep.eval.backend.http.FakeInferenceServer.Fault;
import io.quantsweep.eval.backend.http.ServerKind;
import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.metrics.McNemar;
import io.quantsweep.eval.metrics.TopKDivergence;
import io.quantsweep.eval.score.LetterProbabilities;
import io.quantsweep.eval.sweep.SweepFile;
import io.quantsweep.eval.sweep.SweepSpec;
import io.quantsweep.io.AtomicOutput;
import io.quantsweep.io.AtomicParquet;
import io.quantsweep.plan.DeploymentTargets;
import io.quantsweep.report.Analysis;
import io.quantsweep.spark.DatasetAssertions;
import io.quantsweep.spark.LocalSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job over HTTP against real (fake) llama-servers: a baseline on one endpoint with injected
 * faults, a candidate on two endpoints with different limits that answers some prompts as others, four
 * benchmarks (grammar choice, letter probabilities, numeric generation, kld over passages). Every
 * answer the servers give is known, so every summary number is checked against the metrics on the
 * expected verdicts. Prompts carry their id as {@code #N}, which the fake server answers by.
 */
@ExtendWith(LocalSpark.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
class EvalJobHttpTest {
    private static final int MC = 12;
    private static final int FREE = 6;
    private static final int PASSAGES = 3;
    private static final int PER_VARIANT = MC + MC + FREE + PASSAGES * 3;
    /** The candidate answers prompt N as prompt M: five items the baseline gets right turn wrong, one turns right. */
    private static final Map<Integer, Integer> CANDIDATE = Map.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 101, 102, 201, 202);

    @TempDir
    static Path data;

    @BeforeAll
    static void benchmarks() throws IOException {
        StringBuilder mc = new StringBuilder();
        for (int i = 0; i < MC; i++) {
            String gold = Item.letter(i % 2 == 0 ? i % 4 : (i + 1) % 4);
            mc.append("{\"id\": \"m%d\", \"question\": \"#%d Which one?\", \"choices\": [\"w\", \"x\", \"y\", \"z\"], \"answer\": \"%s\"}\n"
                    .formatted(i, i, gold));
        }
        StringBuilder free = new StringBuilder();
        for (int i = 0; i < FREE; i++) {
            free.append("{\"id\": \"f%d\", \"question\": \"#%d How many?\", \"answer\": \"%s\"}\n"
                    .formatted(i, 100 + i, i % 2 == 0 ? String.valueOf(100 + i) : "7"));
        }
        Files.createDirectories(data.resolve("mc"));
        Files.createDirectories(data.resolve("free"));
        Files.createDirectories(data.resolve("prose"));
        Files.writeString(data.resolve("mc/test.jsonl"), mc);
        Files.writeString(data.resolve("free/test.jsonl"), free);
        Files.writeString(data.resolve("prose/test.txt"), """
                #200 Rain fell on the quiet town all night.

                #201 The baker opened his shop before the sun rose.

                #202 Two boats drifted slowly down the wide river.
                """);
    }

    /** The sweep: baseline on {@code base}, candidate on {@code b1} (limit 2) and {@code b2} (limit 1). */
    private static SweepPlan plan(SparkSession spark, FakeInferenceServer base, FakeInferenceServer b1,
            FakeInferenceServer b2, int freeTokens) throws IOException {
        SweepSpec spec = SweepFile.parse("""
                name: http-sweep
                baseline: base
                variants:
                  - name: base
                    endpoints:
                      - {url: "%s", api: llama-server, concurrency: 3}
                  - name: cand
                    endpoints:
                      - {url: "%s", api: llama-server, concurrency: 2}
                      - {url: "%s", api: llama-server, concurrency: 1}
                benchmarks:
                  - {name: mc, loader: jsonl-choice, path: mc, template: mmlu-lm-eval, scoring: mc-grammar, weight: 2}
                  - {name: mc-prob, loader: jsonl-choice, path: mc, template: mmlu-lm-eval, scoring: mc-logprob, top-k: 8, weight: 1}
                  - {name: free, loader: jsonl-free, path: free, template: gsm8k-lm-eval, scoring: numeric, max-tokens: %d, weight: 1}
                  - {name: prose, loader: text, path: prose, scoring: kld, top-k: 6, positions: 3}
                execution: {retries: 3, retry-backoff-ms: 1, timeout-seconds: 5, batch-size: 4}
                """.formatted(base.uri(), b1.uri(), b2.uri(), freeTokens), "http-sweep.yaml");
        return SweepPlan.of(spec, new org.apache.hadoop.fs.Path(data.toUri()), spark.sparkContext().hadoopConfiguration());
    }

    /** A baseline server and the candidate's two, which share one fault plan and answer as {@link #CANDIDATE}. */
    private record Servers(FakeInferenceServer base, FakeInferenceServer b1, FakeInferenceServer b2)
            implements AutoCloseable {
        static Servers start() throws IOException {
            FakeInferenceServer b1 = new FakeInferenceServer(ServerKind.LLAMA_SERVER).delay(Duration.ofMillis(5));
            FakeInferenceServer b2 = new FakeInferenceServer(ServerKind.LLAMA_SERVER, b1).delay(Duration.ofMillis(5));
            CANDIDATE.forEach((id, as) -> {
                b1.answerAs(id, as);
                b2.answerAs(id, as);
            });
            return new Servers(new FakeInferenceServer(ServerKind.LLAMA_SERVER).delay(Duration.ofMillis(5)), b1, b2);
        }

        @Override
        public void close() {
            base.close();
            b1.close();
            b2.close();
        }
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static Dataset<Row> samples(SparkSession spark, String out) {
        return spark.read().parquet(out + "/samples");
    }

    private static void assertOneRowPerKey(Dataset<Row> samples, long expected) {
        assertEquals(expected, samples.count());
        assertEquals(expected, samples.select("variant", "benchmark", "item_id", "sample").distinct().count());
    }

    @Test
    void faultsAreRetriedEveryAnswerIsWrittenOnceAndTheSummaryIsTheKnownOne(SparkSession spark) throws IOException {
        String out = data.resolve("clean").toString();
        try (Servers s = Servers.start()) {
            s.base().faults(3, Fault.SERVER_ERROR, Fault.RATE_LIMITED);
            s.base().faults(7, Fault.DROP);
            s.base().faults(103, Fault.MALFORMED, Fault.SERVER_ERROR);
            s.base().faults(200, Fault.DROP);
            EvalJob.Result result = EvalJob.run(spark, plan(spark, s.base(), s.b1(), s.b2(), 8), out);

            // batches of 4: 3 + 3 + 2 + 3 files
            assertEquals(List.of(new VariantOutcome("base", PER_VARIANT, 0, PER_VARIANT, 11, 0),
                    new VariantOutcome("cand", PER_VARIANT, 0, PER_VARIANT, 11, 0)), result.variants());
            Dataset<Row> samples = samples(spark, out);
            assertOneRowPerKey(samples, 2L * PER_VARIANT);
            Row retried = samples.filter("variant = 'base'").selectExpr("sum(attempts - 1)").first();
            assertEquals(6, retried.getLong(0), "every injected fault cost one attempt, and was recorded");
            assertEquals(0, samples.filter("variant = 'cand' and attempts > 1").count());
            assertTrue(s.base().maxInFlight() <= 3 && s.b1().maxInFlight() <= 2 && s.b2().maxInFlight() <= 1,
                    s.base().maxInFlight() + " " + s.b1().maxInFlight() + " " + s.b2().maxInFlight());
            assertTrue(s.base().maxInFlight() >= 2, "the baseline's requests overlap");
            assertTrue(samples.filter("variant = 'cand' and server_details['max_concurrent_per_endpoint'] = '1'").count() > 0
                    && samples.filter("variant = 'cand' and server_details['max_concurrent_per_endpoint'] = '2'").count() > 0,
                    "both of the candidate's endpoint groups answer");
            assertEquals("llama-server", samples.select("backend").distinct().first().getString(0));

            assertSummary(result.summary());
            assertKld(spark, out, result.kld());
        }
    }

    /** Verdicts as the fake server's answers make them. */
    private static void assertSummary(List<SummaryRow> summary) {
        Map<String, Boolean> grammarBase = new LinkedHashMap<>();
        Map<String, Boolean> grammarCand = new LinkedHashMap<>();
        Map<String, Boolean> probBase = new LinkedHashMap<>();
        Map<String, Boolean> probCand = new LinkedHashMap<>();
        for (int i = 0; i < MC; i++) {
            String gold = Item.letter(i % 2 == 0 ? i % 4 : (i + 1) % 4);
            int as = CANDIDATE.getOrDefault(i, i);
            grammarBase.put("m" + i, Item.letter(i % 4).equals(gold));
            grammarCand.put("m" + i, Item.letter(as % 4).equals(gold));
            probBase.put("m" + i, letterByProbability(i).equals(gold));
            probCand.put("m" + i, letterByProbability(as).equals(gold));
        }
        Map<String, SummaryRow> rows = new HashMap<>();
        summary.forEach(r -> rows.put(r.variant() + "/" + r.benchmark(), r));
        assertEquals(8, rows.size(), summary.toString());

        SummaryRow mc = rows.get("cand/mc");
        assertEquals(0.5, rows.get("base/mc").accuracy());
        assertEquals(2.0 / 12, mc.accuracy(), 1e-15);
        McNemar m = McNemar.test(grammarBase, grammarCand);
        assertEquals(List.of(12, 5, 1), List.of(m.pairs(), m.baselineOnly(), m.variantOnly()));
        assertEquals(List.of(12, 5, 1), List.of(mc.mcnemarPairs(), mc.mcnemarBaselineOnly(), mc.mcnemarVariantOnly()));
        assertEquals(2 * 7 / 64.0, mc.mcnemarPValue(), 1e-12, "2 P(X <= 1), X ~ Binomial(6, 1/2)");
        assertEquals(0.5, mc.agreement(), "six of twelve answers differ");
        assertEquals((0.5 - 2.0 / 12) / 0.5, mc.relativeDrop(), 1e-12);
        assertEquals(Math.sqrt((2 * (1 - 2.0 / 12) * (1 - 2.0 / 12) + 10 * (2.0 / 12) * (2.0 / 12)) / 11) / Math.sqrt(12),
                mc.standardError(), 1e-12);
        assertNull(mc.stdOverSamples());

        double probBaseAccuracy = share(probBase);
        double probCandAccuracy = share(probCand);
        assertEquals(probBaseAccuracy, rows.get("base/mc-prob").accuracy(), 1e-15);
        assertEquals(probCandAccuracy, rows.get("cand/mc-prob").accuracy(), 1e-15);
        assertEquals(McNemar.test(probBase, probCand).pValue(), rows.get("cand/mc-prob").mcnemarPValue());

        assertEquals(0.5, rows.get("base/free").accuracy(), "even items have the id as their gold answer");
        assertEquals(0.5, rows.get("cand/free").accuracy(), "101 answers 102, still wrong");
        assertEquals(10.0, rows.get("base/free").commonPrefixChars(), "'answer-1xx' against itself");
        assertEquals((5 * 10.0 + 9) / 6, rows.get("cand/free").commonPrefixChars(), 1e-12, "'answer-102' vs 'answer-101'");
        assertEquals(5.0 / 6, rows.get("cand/free").agreement(), 1e-12);

        SummaryRow weighted = rows.get("cand/weighted-average");
        assertEquals(List.of("free", "mc", "mc-prob"), weighted.benchmarks());
        assertEquals(4.0, weighted.weight());
        assertEquals((2 * (2.0 / 12) + probCandAccuracy + 0.5) / 4, weighted.accuracy(), 1e-12);
        assertEquals((2 * 0.5 + probBaseAccuracy + 0.5) / 4, weighted.baselineAccuracy(), 1e-12);
        assertFalse(rows.containsKey("cand/prose"), "kld is compared, not scored");
    }

    /** The letter the fake server's top-8 list makes most probable for prompt {@code id}. */
    private static String letterByProbability(int id) {
        Map<String, Double> top = new LinkedHashMap<>();
        FakeInferenceServer.top(8, id, 0).forEach(e -> top.put(e.getKey(), e.getValue()));
        return LetterProbabilities.of(top, 4).best();
    }

    private static double share(Map<String, Boolean> verdicts) {
        return verdicts.values().stream().filter(b -> b).count() / (double) verdicts.size();
    }

    private static Map<String, Double> fakeTop(int id) {
        Map<String, Double> top = new LinkedHashMap<>();
        FakeInferenceServer.top(6, id, 0).forEach(e -> top.put(e.getKey(), e.getValue()));
        return top;
    }

    private static void assertKld(SparkSession spark, String out, List<Row> kld) {
        TopKDivergence.Position moved = TopKDivergence.compare(fakeTop(201), fakeTop(202));
        Dataset<Row> positions = spark.read().parquet(out + "/kld-positions");
        assertEquals(2L * PASSAGES * 3, positions.count());
        assertEquals(0, positions.filter("variant = 'base' and kl != 0").count());
        for (Row r : positions.filter("variant = 'cand' and item_id = '1'").collectAsList()) {
            assertEquals(moved.kl(), r.<Double>getAs("kl"), 1e-12);
            assertEquals(moved.baseTokenLogprobDelta(), r.<Double>getAs("base_token_logprob_delta"), 1e-12);
            assertFalse(r.<Boolean>getAs("top1_agrees"));
        }
        assertTrue(moved.kl() > 0);
        assertEquals(2, kld.size());
        Row cand = kld.get(1);
        assertEquals(List.of("cand", "prose", "base", 6, 9L), List.of(cand.getString(0), cand.getString(1),
                cand.getString(2), cand.getInt(3), cand.getLong(4)));
        assertEquals(3 * moved.kl() / 9, cand.getDouble(5), 1e-12);
        assertEquals(6.0 / 9, cand.getDouble(6), 1e-12);
        DatasetAssertions.assertSameRowsAnyOrder(spark.createDataFrame(kld, EvalJob.KLD_SCHEMA),
                spark.read().parquet(out + "/kld"));
        Dataset<Row> cuts = spark.read().parquet(out + "/samples").filter("benchmark = 'prose' and variant = 'base'");
        for (Row r : cuts.collectAsList()) {
            assertEquals("kld", r.getAs("extractor"));
            assertNull(r.getAs("correct"));
            assertTrue(r.<String>getAs("gold").matches(" \\S+"), r.<String>getAs("gold"));
            assertEquals(6, r.getJavaMap(r.fieldIndex("top_logprobs")).size());
        }
    }

    @Test
    void aFolderOfOtherFilesIsNotASweepsOutput(SparkSession spark, @TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");
        try (Servers s = Servers.start()) {
            SweepRefusedException e = assertThrows(SweepRefusedException.class,
                    () -> EvalJob.run(spark, plan(spark, s.base(), s.b1(), s.b2(), 8), dir.toString()));
            assertTrue(e.getMessage().contains(dir + " holds other files (config.json) and no sweep output"), e.getMessage());
            assertEquals(0, s.base().answered(), "nothing was asked");
        }
        assertEquals(List.of("config.json"), List.of(dir.toFile().list()));
    }

    @Test
    void aServerWhoseSlotsCannotHoldAnAnswerIsRefusedBeforeItIsAsked(SparkSession spark, @TempDir Path dir)
            throws IOException {
        try (Servers s = Servers.start()) {
            // llama-server -c 32 -np 4: eight tokens a slot, where the free benchmark's answers alone may take eight
            s.b1().context(8);
            s.b2().context(8);
            SweepRefusedException e = assertThrows(SweepRefusedException.class,
                    () -> EvalJob.run(spark, plan(spark, s.base(), s.b1(), s.b2(), 8), dir.resolve("eval").toString()));
            assertTrue(e.getMessage().contains("variant cand: cannot open") && e.getMessage().contains("gives a context of 8 "
                    + "tokens, which cannot hold benchmark free's max-tokens 8 and its prompt; give it more context "
                    + "(in-process: context-size; llama-server: --ctx-size, divided among --parallel slots"), e.getMessage());
            assertEquals(0, s.b1().answered() + s.b2().answered(), "the candidate was not asked");
        }
    }

    @Test
    void aResumeIsCheckedAgainstTheBenchmarksItStillAsks(SparkSession spark, @TempDir Path dir) throws IOException {
        String out = dir.resolve("eval").toString();
        try (Servers s = Servers.start()) {
            EvalJob.run(spark, plan(spark, s.base(), s.b1(), s.b2(), 8), out);
        }
        // the candidate's multiple-choice samples are to be asked again; its free answers are written
        Path mc = dir.resolve("eval").resolve(EvalJob.SAMPLES).resolve("variant=cand").resolve("benchmark=mc");
        try (Stream<Path> files = Files.walk(mc)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
        try (Servers s = Servers.start()) {
            // slots too small for the free benchmark's answers, which this run does not ask
            s.b1().context(8);
            s.b2().context(8);
            EvalJob.run(spark, plan(spark, s.base(), s.b1(), s.b2(), 8), out);
            assertEquals(MC, s.b1().answered() + s.b2().answered(), "the candidate's multiple-choice items, again");
        }
        assertOneRowPerKey(samples(spark, out), 2L * PER_VARIANT);
    }

    @Test
    void aSweepOfKldBenchmarksAloneWritesNoSummaryAndIsReported(SparkSession spark) throws IOException {
        Path root = data.resolve("kld-only");
        Path out = root.resolve("eval");
        // an earlier run's summary: the summary is rewritten from the samples on every run, so it goes
        Files.createDirectories(out.resolve(EvalJob.SUMMARY));
        Files.writeString(out.resolve(EvalJob.SUMMARY).resolve("part-00000-earlier.parquet"), "an earlier run's scores");
        try (Servers s = Servers.start()) {
            SweepSpec spec = SweepFile.parse("""
                    name: kld-sweep
                    baseline: base
                    variants:
                      - name: base
                        endpoints: [{url: "%s", api: llama-server}]
                      - name: cand
                        endpoints: [{url: "%s", api: llama-server}]
                    benchmarks:
                      - {name: prose, loader: text, path: prose, scoring: kld, top-k: 6, positions: 3}
                    """.formatted(s.base().uri(), s.b1().uri()), "kld-sweep.yaml");
            EvalJob.Result result = EvalJob.run(spark, SweepPlan.of(spec, new org.apache.hadoop.fs.Path(data.toUri()),
                    spark.sparkContext().hadoopConfiguration()), out.toString());
            assertEquals(List.of(), result.summary());
            assertEquals(2, result.kld().size());
        }
        assertFalse(Files.exists(out.resolve(EvalJob.SUMMARY)), "no summary without a scored benchmark");
        Analysis report = Analysis.read(RealModelFiles.fs(), RealModelFiles.hadoop(root), DeploymentTargets.builtIn());
        assertTrue(report.eval().isEmpty());
        assertEquals(2, report.kld().orElseThrow().rows().size());
    }

    @Test
    void aSweepThatFailsMidwayKeepsEveryAnswerAndResumesToTheCleanResult(SparkSession spark) throws IOException {
        String clean = data.resolve("reference").toString();
        String resumed = data.resolve("resumed").toString();
        EvalJob.Result reference;
        try (Servers s = Servers.start()) {
            reference = EvalJob.run(spark, plan(spark, s.base(), s.b1(), s.b2(), 8), clean);
        }
        try (Servers s = Servers.start()) {
            s.b1().failAfter(6);
            s.b2().failAfter(3);
            SweepPlan plan = plan(spark, s.base(), s.b1(), s.b2(), 8);
            // a summary from before: the failed run adds samples it does not describe
            copyFolder(Path.of(clean, EvalJob.SUMMARY), Path.of(resumed, EvalJob.SUMMARY));
            SweepFailedException e = assertThrows(SweepFailedException.class, () -> EvalJob.run(spark, plan, resumed));
            assertFalse(Files.exists(Path.of(resumed, EvalJob.SUMMARY)), "a summary of fewer samples than there are");
            assertTrue(e.getMessage().startsWith("sweep http-sweep: variant cand: benchmark ") && e.getMessage().contains(
                    "run the sweep again to resume"), e.getMessage());
            Dataset<Row> partial = samples(spark, resumed);
            long written = partial.filter("variant = 'cand'").count();
            assertEquals(s.b1().answered() + s.b2().answered(), written, "every answer the servers gave is written");
            assertEquals(9, written);
            assertEquals(PER_VARIANT, partial.filter("variant = 'base'").count(), "the other variant ran to its end");
            assertOneRowPerKey(partial, PER_VARIANT + 9);

            SweepRefusedException other = assertThrows(SweepRefusedException.class,
                    () -> EvalJob.run(spark, plan(spark, s.base(), s.b1(), s.b2(), 9), resumed));
            assertTrue(other.getMessage().contains("was made with other settings (max_tokens 8 → 9)"), other.getMessage());

            s.b1().recover();
            s.b2().recover();
            // the candidate's servers restarted on another build: its answers would mix two builds'
            s.b1().build("b5000-0a0a0a0");
            s.b2().build("b5000-0a0a0a0");
            SweepRefusedException build = assertThrows(SweepRefusedException.class, () -> EvalJob.run(spark, plan, resumed));
            assertTrue(build.getMessage().contains("were answered by llama-server b4916-c6af2161 running tiny-deepseek "
                    + "(/models/tiny-deepseek.gguf), but it now runs on llama-server b5000-0a0a0a0 running tiny-deepseek "
                    + "(/models/tiny-deepseek.gguf); write to a new output folder"),
                    build.getMessage());
            s.b1().build("b4916-c6af2161");
            s.b2().build("b4916-c6af2161");
            // restarted on another GGUF under the same name (llama-server's --alias)
            s.b1().modelFile("/models/other.gguf");
            s.b2().modelFile("/models/other.gguf");
            SweepRefusedException file = assertThrows(SweepRefusedException.class, () -> EvalJob.run(spark, plan, resumed));
            assertTrue(file.getMessage().contains("were answered by llama-server b4916-c6af2161 running tiny-deepseek "
                    + "(/models/tiny-deepseek.gguf), but it now runs on llama-server b4916-c6af2161 running tiny-deepseek "
                    + "(/models/other.gguf)"), file.getMessage());
            // the same file by another path: admitted
            s.b1().modelFile("tiny-deepseek.gguf");
            s.b2().modelFile("/mnt/other-host/tiny-deepseek.gguf");
            EvalJob.Result again = EvalJob.run(spark, plan, resumed);
            VariantOutcome cand = again.variants().get(1);
            assertEquals(new VariantOutcome("cand", PER_VARIANT, 9, PER_VARIANT - 9, cand.files(), 0), cand);
            assertOneRowPerKey(samples(spark, resumed), 2L * PER_VARIANT);
            SampleFilesTest.assertOneFilePerBenchmark(Path.of(resumed, "samples"));
            assertEquals(reference.summary(), again.summary());
            assertEquals(reference.kld(), again.kld());
        }
    }

    @Test
    void aBenchmarkTheServerRefusesStopsTheVariantBeforeTheBenchmarksBeforeItRunToTheirEnd(SparkSession spark)
            throws IOException {
        try (FakeInferenceServer vllm = new FakeInferenceServer(ServerKind.VLLM)) {
            SweepSpec spec = SweepFile.parse("""
                    name: vllm-sweep
                    baseline: v
                    variants:
                      - name: v
                        endpoints:
                          - {url: "%s", server: vllm, api: openai-completions, model: tiny-deepseek, concurrency: 1}
                    benchmarks:
                      - {name: free, loader: jsonl-free, path: free, template: gsm8k-lm-eval, scoring: numeric, max-tokens: 8}
                      - {name: mc-prob, loader: jsonl-choice, path: mc, template: mmlu-lm-eval, scoring: mc-logprob, top-k: 21}
                    execution: {retries: 1, retry-backoff-ms: 1, timeout-seconds: 5}
                    """.formatted(vllm.uri()), "vllm-sweep.yaml");
            SweepPlan plan = SweepPlan.of(spec, new org.apache.hadoop.fs.Path(data.toUri()),
                    spark.sparkContext().hadoopConfiguration());
            String out = data.resolve("vllm-refuses").toString();
            SweepFailedException e = assertThrows(SweepFailedException.class, () -> EvalJob.run(spark, plan, out));
            assertTrue(e.getMessage().contains("benchmark mc-prob item m0 sample 0 failed")
                    && e.getMessage().contains("start it with --max-logprobs 21"), e.getMessage());
            assertEquals(2, vllm.answered(), "free's first sample and mc-prob's refused one, not all of free's first");
            assertEquals(1, samples(spark, out).count());
        }
    }

    @Test
    void aRefusedRerunKeepsTheSummaryAndARerunScoresEverySampleAgain(SparkSession spark) throws IOException {
        String out = data.resolve("rescored").toString();
        try (Servers s = Servers.start()) {
            SweepPlan plan = plan(spark, s.base(), s.b1(), s.b2(), 8);
            EvalJob.Result first = EvalJob.run(spark, plan, out);
            assertTrue(Files.isDirectory(Path.of(out, EvalJob.SUMMARY)));
            // refused before it wrote anything: the summary still describes the samples
            assertThrows(SweepRefusedException.class, () -> EvalJob.run(spark, plan(spark, s.base(), s.b1(), s.b2(), 9), out));
            assertTrue(Files.isDirectory(Path.of(out, EvalJob.SUMMARY)));
            assertTrue(Files.isDirectory(Path.of(out, EvalJob.KLD)));

            // scores an earlier version (or an edit) gave otherwise: one sample of each scoring without its score,
            // one with another answer, one with other letter probabilities
            Map<String, Path> files = new LinkedHashMap<>();
            for (String benchmark : List.of("mc", "mc-prob", "free")) {
                try (Stream<Path> in = Files.list(Path.of(out, "samples", "variant=cand", "benchmark=" + benchmark))) {
                    files.put(benchmark, in.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow());
                }
            }
            Map<String, String> asWritten = new LinkedHashMap<>();
            for (Map.Entry<String, Path> f : files.entrySet()) {
                asWritten.put(f.getKey(), readSamples(f.getValue()).toString());
            }
            List<GenericRecord> mc = readSamples(files.get("mc"));
            List<GenericRecord> prob = readSamples(files.get("mc-prob"));
            List<GenericRecord> free = readSamples(files.get("free"));
            mc.get(0).put("correct", null);
            prob.get(1).put("letter_probabilities", Map.of("A", 1.0));
            prob.get(1).put("predicted", "A");
            free.get(2).put("predicted", "999");
            free.get(2).put("extractor", "num/older-rule");
            writeSamples(files.get("mc"), mc);
            writeSamples(files.get("mc-prob"), prob);
            writeSamples(files.get("free"), free);

            EvalJob.Result again = EvalJob.run(spark, plan, out);
            assertEquals(first.summary(), again.summary());
            for (String benchmark : files.keySet()) {
                assertEquals(asWritten.get(benchmark), readSamples(onlyFile(out, benchmark)).toString(),
                        benchmark + ": the edited sample's own score again, the others as they were");
            }
            String mcFile = onlyFile(out, "mc").getFileName().toString();
            EvalJob.run(spark, plan, out);
            assertEquals(mcFile, onlyFile(out, "mc").getFileName().toString(), "nothing to score again, nothing rewritten");
        }
    }

    private static Path onlyFile(String out, String benchmark) throws IOException {
        try (Stream<Path> in = Files.list(Path.of(out, "samples", "variant=cand", "benchmark=" + benchmark))) {
            List<Path> parquet = in.filter(p -> p.toString().endsWith(".parquet")).toList();
            assertEquals(1, parquet.size(), parquet.toString());
            return parquet.get(0);
        }
    }

    private static List<GenericRecord> readSamples(Path file) throws IOException {
        Configuration conf = new Configuration();
        AvroReadSupport.setAvroReadSchema(conf, SampleFiles.SCHEMA);
        List<GenericRecord> records = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(
                HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), conf))
                .withDataModel(GenericData.get()).withConf(conf).build()) {
            for (GenericRecord g = reader.read(); g != null; g = reader.read()) {
                records.add(g);
            }
        }
        return records;
    }

    private static void writeSamples(Path file, List<GenericRecord> records) throws IOException {
        AtomicParquet.write(AtomicOutput.localFileSystem(), new org.apache.hadoop.fs.Path(file.toUri()), SampleFiles.SCHEMA,
                new Configuration(), records);
    }
}
