package io.quantsweep.eval.run;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.deepseek.DeepseekV3Generator;
import io.quantsweep.arch.deepseek.DeepseekV3Preset;
import io.quantsweep.convert.CheckpointConverter;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.ServerInfo;
import io.quantsweep.eval.sweep.BenchmarkSpec;
import io.quantsweep.eval.sweep.SweepFile;
import io.quantsweep.eval.sweep.SweepSpec;
import io.quantsweep.format.gguf.GgufReader;
import io.quantsweep.io.AtomicOutput;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.spark.DatasetAssertions;
import io.quantsweep.spark.LocalSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileSystem;
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
 * The shipped demo sweep ({@code conf/sweeps/demo-tiny.yaml}) end to end in-process: the generated
 * tiny DeepSeek-V3 model (group-limited routing) converted to BF16 and F16 in the split MLA layout,
 * evaluated by the embedded llama.cpp on the bundled sets, then run again to resume; and the
 * probability scorings in-process, with a legacy-layout variant.
 */
@ExtendWith(LocalSpark.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
class EvalJobEmbeddedTest {
    private static final Path SWEEPS = Path.of("..", "conf", "sweeps").toAbsolutePath().normalize();

    @TempDir
    static Path dir;
    static SweepSpec sweep;

    @BeforeAll
    static void models() throws IOException {
        FileSystem fs = AtomicOutput.localFileSystem();
        org.apache.hadoop.fs.Path model = new org.apache.hadoop.fs.Path(dir.resolve("model").toUri());
        DeepseekV3Generator.generate(fs, model, DeepseekV3Preset.TINY, 0, Optional.empty());
        CheckpointConverter.convert(fs, model, dir.resolve("tiny-bf16.gguf"), GgmlType.BF16, MlaLayout.SPLIT);
        CheckpointConverter.convert(fs, model, dir.resolve("tiny-f16.gguf"), GgmlType.F16, MlaLayout.SPLIT);
        CheckpointConverter.convert(fs, model, dir.resolve("tiny-f16-legacy.gguf"), GgmlType.F16, MlaLayout.LEGACY);
        sweep = demo("", "");
    }

    /** The demo sweep on this test's models, with {@code from} replaced by {@code to} in its text. */
    private static SweepSpec demo(String from, String to) throws IOException {
        String text = Files.readString(SWEEPS.resolve("demo-tiny.yaml"))
                .replace("../../out/demo-tiny/", dir.toAbsolutePath() + "/");
        return SweepFile.parse(text.replace(from, to), "demo-tiny.yaml");
    }

    private static SweepPlan plan(SparkSession spark, SweepSpec s) throws IOException {
        return SweepPlan.of(s, new org.apache.hadoop.fs.Path(SWEEPS.toUri()), spark.sparkContext().hadoopConfiguration());
    }

    @Test
    void evaluatesBothVariantsInProcessAndAResumedRunChangesNothing(SparkSession spark) throws IOException {
        String out = dir.resolve("eval").toString();
        SweepPlan plan = plan(spark, sweep);
        EvalJob.Result first = EvalJob.run(spark, plan, out);
        // 30 questions, 6 greedy answers, 6 x 4 sampled answers; batches of 8 per benchmark: 4 + 1 + 3 files
        for (VariantOutcome o : first.variants()) {
            assertEquals(new VariantOutcome(o.variant(), 60, 0, 60, 8, 0), o);
        }
        SampleFilesTest.assertOneFilePerBenchmark(Path.of(out, "samples"));

        Dataset<Row> samples = spark.read().parquet(out + "/samples");
        assertEquals(120, samples.count());
        Map<String, String> identities = new HashMap<>();
        for (String variant : List.of("bf16", "f16")) {
            Path file = dir.resolve("tiny-" + variant + ".gguf");
            try (GgufReader r = GgufReader.open(file)) {
                identities.put(variant, Files.size(file) + " bytes, sha256 " + r.fingerprint().substring(0, 16));
            }
        }
        assertEquals(120, samples.select("variant", "benchmark", "item_id", "sample").distinct().count());
        assertEquals(SampleFiles.SPARK_SCHEMA.simpleString(), spark.read().schema(SampleFiles.SPARK_SCHEMA)
                .parquet(out + "/samples").schema().simpleString());
        for (Row r : samples.collectAsList()) {
            String variant = r.getAs("variant");
            assertEquals("embedded-llama.cpp", r.getAs("backend"));
            assertEquals("v0.5.0-de3ff81", r.getAs("build"));
            assertTrue(r.<String>getAs("model").endsWith("tiny-" + variant + ".gguf"), r.<String>getAs("model"));
            Map<String, String> details = r.getJavaMap(r.fieldIndex("server_details"));
            assertEquals("1024", details.get("context_size"));
            assertEquals(identities.get(variant), details.get(ServerInfo.MODEL_FILE));
            assertEquals(1, r.<Integer>getAs("attempts"));
            assertEquals(64, r.<String>getAs("prompt_hash").length());
            assertTrue(r.<Double>getAs("latency_ms") > 0);
            assertEquals("demo-tiny", r.getAs("sweep"));
            String predicted = r.getAs("predicted");
            if (r.<String>getAs("benchmark").equals("tiny-mc")) {
                assertEquals("mc-grammar", r.getAs("scoring"));
                assertEquals("mmlu-lm-eval+none", r.getAs("template_id"));
                assertTrue(List.of(" A", " B", " C", " D").contains(r.<String>getAs("response")), r.toString());
                assertEquals(r.<String>getAs("response").strip(), predicted);
                assertEquals("grammar", r.getAs("extractor"));
                assertNull(r.getAs("tokens"));
            } else {
                assertEquals("numeric", r.getAs("scoring"));
                int tokens = r.getAs("tokens");
                assertTrue(tokens >= 0 && tokens <= 12, r.toString());
                assertTrue(List.of("STOP", "LENGTH").contains(r.<String>getAs("finish_reason")), r.toString());
            }
            assertEquals(predicted.equals(r.getAs("gold")) && !predicted.isEmpty(), r.<Boolean>getAs("correct"), r.toString());
            BenchmarkSpec spec = sweep.benchmarks().stream().filter(b -> b.name().equals(r.getAs("benchmark")))
                    .findFirst().orElseThrow();
            assertEquals(spec.sampleSeed(r.getAs("item_id"), r.getAs("sample")), r.<Long>getAs("seed"));
        }
        assertTrue(first.summary().stream().allMatch(s -> s.baseline().equals("bf16")));
        assertSummaryMatchesTheSamples(first.summary(), samples);

        // resumed with one variant's model file gone (deleted to free the disk): it has nothing left to ask
        EvalJob.Result again = EvalJob.run(spark, plan(spark, demo("tiny-f16.gguf", "tiny-f16-deleted.gguf")), out);
        for (VariantOutcome o : again.variants()) {
            assertEquals(new VariantOutcome(o.variant(), 60, 60, 0, 0, 0), o);
        }
        assertEquals(first.summary(), again.summary());
        assertEquals(120, spark.read().parquet(out + "/samples").count());
        DatasetAssertions.assertSameRowsAnyOrder(
                spark.createDataFrame(first.summary().stream().map(SummaryRow::toRow).toList(), SummaryRow.SCHEMA),
                spark.read().parquet(out + "/summary"));
    }

    /** Accuracy is each item's share of right samples averaged; the baseline agrees with itself. */
    private static void assertSummaryMatchesTheSamples(List<SummaryRow> summary, Dataset<Row> samples) {
        assertEquals(8, summary.size(), summary.toString());
        Map<String, Double> accuracy = new HashMap<>();
        for (Row r : samples.groupBy("variant", "benchmark", "item_id")
                .agg(org.apache.spark.sql.functions.avg(col("correct").cast("double")).as("share"))
                .groupBy("variant", "benchmark").agg(org.apache.spark.sql.functions.avg("share"))
                .collectAsList()) {
            accuracy.put(r.getString(0) + "/" + r.getString(1), r.getDouble(2));
        }
        for (SummaryRow s : summary) {
            if (s.kind().equals(SummaryRow.WEIGHTED_AVERAGE)) {
                assertEquals(List.of("tiny-free", "tiny-mc"), s.benchmarks());
                assertEquals((accuracy.get(s.variant() + "/tiny-free") + accuracy.get(s.variant() + "/tiny-mc")) / 2,
                        s.accuracy(), 1e-12);
                assertEquals(2.0, s.weight());
                continue;
            }
            assertEquals(accuracy.get(s.variant() + "/" + s.benchmark()), s.accuracy(), 1e-12, s.toString());
            boolean sampled = s.benchmark().equals("tiny-free-sampled");
            assertEquals(sampled ? 4 : 1, s.samplesPerItem());
            assertEquals(sampled, s.stdOverSamples() != null, s.toString());
            assertEquals(s.benchmark().equals("tiny-free"), s.commonPrefixChars() != null, s.toString());
            assertEquals(s.items(), s.mcnemarPairs());
            if (s.variant().equals("bf16")) {
                assertEquals(1.0, s.mcnemarPValue());
                // over the items where the baseline answered at all: none, for the tiny model's free answers
                assertEquals(s.agreementItems() > 0 ? 1.0 : null, s.agreement(), s.toString());
                assertEquals(s.accuracy(), s.baselineAccuracy());
                assertEquals(s.accuracy() > 0 ? 0.0 : null, s.relativeDrop());
            }
        }
    }

    @Test
    void letterProbabilitiesAndTheKldOfNextTokenDistributionsInProcess(SparkSession spark) throws IOException {
        String out = dir.resolve("eval-probabilities").toString();
        SweepSpec probabilities = SweepFile.parse(Files.readString(SWEEPS.resolve("demo-tiny.yaml"))
                .replace("../../out/demo-tiny/", dir.toAbsolutePath() + "/")
                .replace("tiny-f16.gguf", "tiny-f16-legacy.gguf")
                .replace("scoring: mc-grammar", "scoring: mc-logprob\n    top-k: 512")
                .replace("benchmarks:\n", "benchmarks:\n  - {name: prose, loader: text, path: ../benchmarks/tiny-prose, "
                        + "scoring: kld, top-k: 8, positions: 3}\n"), "demo-tiny.yaml");
        EvalJob.Result result = EvalJob.run(spark, plan(spark, probabilities), out);
        Dataset<Row> samples = spark.read().parquet(out + "/samples");
        // top-k over the whole vocabulary of 512: every letter has its probability
        for (Row r : samples.filter("benchmark = 'tiny-mc'").collectAsList()) {
            assertEquals("mc-logprob", r.getAs("scoring"));
            assertTrue(List.of("A", "B", "C", "D").contains(r.<String>getAs("predicted")), r.toString());
            assertFalse(r.getJavaMap(r.fieldIndex("top_logprobs")).isEmpty(), r.toString());
        }
        // the baseline against itself: the same distributions; the legacy-layout F16 file: others, but close
        Dataset<Row> positions = spark.read().parquet(out + "/kld-positions");
        assertTrue(positions.filter("variant = 'bf16'").count() > 0);
        assertEquals(0, positions.filter("variant = 'bf16' and kl != 0").count());
        assertEquals(2, result.kld().size());
        Row f16 = result.kld().stream().filter(r -> r.getString(0).equals("f16")).findFirst().orElseThrow();
        double kl = f16.getDouble(EvalJob.KLD_SCHEMA.fieldIndex("mean_kl"));
        assertTrue(kl > 0 && kl < 0.1, f16.toString());
        assertTrue(f16.getDouble(EvalJob.KLD_SCHEMA.fieldIndex("top1_agreement")) > 0.5, "the top token mostly agrees: " + f16);
    }

    @Test
    void refusesAModelTheEngineCannotRunBeforeAnyVariantRuns(SparkSession spark) throws IOException {
        Files.write(dir.resolve("tiny-junk.gguf"), new byte[] {'G', 'G', 'U', 'X', 3, 0, 0, 0});
        SweepRefusedException e = refusedBeforeAnythingRuns(spark, demo("tiny-f16.gguf", "tiny-junk.gguf"));
        assertTrue(e.getMessage().startsWith("sweep demo-tiny: variant f16: cannot open embedded llama.cpp ("
                + dir.resolve("tiny-junk.gguf").toAbsolutePath()), e.getMessage());
        assertTrue(e.getMessage().contains("it is not a valid GGUF file"), e.getMessage());
        assertEquals(BackendException.Reason.UNSUPPORTED_MODEL,
                assertInstanceOf(BackendException.class, e.getCause()).reason());
    }

    /** The refusal of {@code sweep}, which must come before any variant runs: nothing is written. */
    private static SweepRefusedException refusedBeforeAnythingRuns(SparkSession spark, SweepSpec sweep) throws IOException {
        Path out = Files.createTempDirectory(dir, "refused").resolve("eval");
        SweepRefusedException e = assertThrows(SweepRefusedException.class,
                () -> EvalJob.run(spark, plan(spark, sweep), out.toString()));
        assertFalse(Files.exists(out), "nothing is written, no variant ran: " + e.getMessage());
        return e;
    }
}
