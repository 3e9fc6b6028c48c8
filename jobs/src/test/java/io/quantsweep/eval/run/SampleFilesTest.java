package io.quantsweep.eval.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.backend.ServerInfo;
import io.quantsweep.io.AtomicOutput;
import io.quantsweep.io.AtomicParquet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Batches become whole Parquet files; a task reads back what was committed, and only that. */
class SampleFilesTest {
    private static final FileSystem FS = AtomicOutput.localFileSystem();
    private static final Configuration CONF = new Configuration();

    @TempDir
    Path dir;

    static SampleRow row(String benchmark, String item, int sample, String hash) {
        return row(benchmark, item, sample, hash, Map.of("slots", "4"));
    }

    private static SampleRow row(String benchmark, String item, int sample, String hash, Map<String, String> details) {
        return new SampleRow("v", benchmark, item, sample, "", hash, "t+none", " B", "B", "B", true, "grammar",
                Map.of("A", 0.25, "B", 0.75), Map.of(), null, 12.5, null, null, 1, "llama-server", "b1", "m",
                new TreeMap<>(details), "mc-grammar", 7L, 0.0, 1.0, 1, List.of("\n\n"), 0, "s", 1_700_000_000_000L);
    }

    private org.apache.hadoop.fs.Path samples() {
        return new org.apache.hadoop.fs.Path(dir.resolve("samples").toUri());
    }

    /** Merges a benchmark folder's files, scoring nothing again; how many it merged. */
    private static int merge(org.apache.hadoop.fs.Path dir, String attempt) throws IOException {
        return SampleFiles.compact(FS, CONF, dir, attempt, SampleFiles.Rescorer.NONE).merged();
    }

    private void write(String benchmark, String name, SampleRow... rows) throws IOException {
        SampleFiles.write(FS, CONF, SampleFiles.benchmarkDir(samples(), "v", benchmark), name, List.of(rows));
    }

    @Test
    void changedSettingsAreNamedColumnByColumnOnOneLine() {
        SampleFiles.Settings then = SampleFiles.Settings.of(row("mmlu", "q1", 0, "h1"));
        SampleFiles.Settings now = new SampleFiles.Settings("h1", then.scoring(), then.seed(), 0.6, then.topP(), 12,
                List.of("\n\nQuestion:", "\""), then.topK());
        assertEquals("temperature 0.0 → 0.6, max_tokens 1 → 12, stop [\"\\n\\n\"] → [\"\\n\\nQuestion:\",\"\\\"\"]",
                then.changesTo(now));
        assertEquals("", then.changesTo(then));
    }

    @Test
    void theLastAttemptToClaimAVariantIsItsWriter() throws IOException {
        SampleFiles.claim(FS, samples(), "v", "attempt-1");
        SampleFiles.requireWriter(FS, samples(), "v", "attempt-1");
        SampleFiles.claim(FS, samples(), "v", "attempt-2");
        SupersededException e = assertThrows(SupersededException.class,
                () -> SampleFiles.requireWriter(FS, samples(), "v", "attempt-1"));
        assertEquals("variant v: task attempt attempt-1 stops: attempt attempt-2 writes the variant's samples now", e.getMessage());
        SampleFiles.requireWriter(FS, samples(), "v", "attempt-2");

        Files.delete(dir.resolve("samples/variant=v/" + SampleFiles.WRITER));
        e = assertThrows(SupersededException.class, () -> SampleFiles.requireWriter(FS, samples(), "v", "attempt-2"));
        assertTrue(e.getMessage().contains("is being replaced"), e.getMessage());
    }

    @Test
    void aClaimKilledMidWriteIsALeftover() throws IOException {
        SampleFiles.claim(FS, samples(), "v", "attempt-1");
        Files.writeString(dir.resolve("samples/variant=v/." + SampleFiles.WRITER + ".0f3c.tmp"), "attempt-");
        assertEquals(1, SampleFiles.deleteLeftovers(FS, CONF, samples(), "v"));
        assertEquals(List.of(SampleFiles.WRITER), List.of(dir.resolve("samples/variant=v").toFile().list()));
        assertTrue(SampleFiles.existing(FS, CONF, samples(), "v").isEmpty(), "the writer file holds no samples");
    }

    @Test
    void committedKeysAndTheirSettingsAreReadBack() throws IOException {
        write("mmlu", "part-a-00000.parquet", row("mmlu", "q1", 0, "h1"), row("mmlu", "q2", 0, "h2"));
        write("gsm8k", "part-a-00001.parquet", row("gsm8k", "q1", 0, "h3"));
        Map<SampleKey, SampleFiles.Committed> found = SampleFiles.existing(FS, CONF, samples(), "v");
        assertEquals(3, found.size());
        SampleFiles.Committed q2 = found.get(new SampleKey("mmlu", "q2", 0));
        assertEquals(SampleFiles.Settings.of(row("mmlu", "q2", 0, "h2")), q2.settings());
        assertEquals(List.of("\n\n"), q2.settings().stop(), "the stop strings are read back");
        assertTrue(q2.file().toString().endsWith("variant=v/benchmark=mmlu/part-a-00000.parquet"), q2.file().toString());
        assertEquals(Map.of(), SampleFiles.existing(FS, CONF, samples(), "other"));
        try (var files = Files.list(dir.resolve("samples/variant=v/benchmark=mmlu"))) {
            assertEquals(List.of("part-a-00000.parquet"), files.map(p -> p.getFileName().toString()).toList(),
                    "no temporary or checksum files stay behind");
        }
    }

    @Test
    void theModelFilesIdentityIsReadBackAndOnlyAnotherOneIsAnotherSource() throws IOException {
        SampleRow plain = row("mmlu", "q1", 0, "h1");
        SampleRow withFile = row("mmlu", "q2", 0, "h2", Map.of("slots", "4", ServerInfo.MODEL_FILE, "9 bytes, x"));
        write("mmlu", "part-a-00000.parquet", plain, withFile);
        Map<SampleKey, SampleFiles.Committed> found = SampleFiles.existing(FS, CONF, samples(), "v");
        SampleFiles.Source before = found.get(new SampleKey("mmlu", "q1", 0)).source();
        SampleFiles.Source known = found.get(new SampleKey("mmlu", "q2", 0)).source();
        assertEquals(new SampleFiles.Source("llama-server", "b1", "m", ""), before);
        assertEquals(new SampleFiles.Source("llama-server", "b1", "m", "9 bytes, x"), known);
        assertEquals("llama-server b1 running m (9 bytes, x)", known.toString());

        assertTrue(known.admits(known));
        assertTrue(before.admits(known) && known.admits(before), "samples written before the identity was recorded");
        assertFalse(known.admits(new SampleFiles.Source("llama-server", "b1", "m", "9 bytes, y")));
        assertFalse(before.admits(new SampleFiles.Source("llama-server", "b2", "m", "")));
    }

    /** Scores predicted B as C, wrong: what a newer rule might say of an older sample. */
    private static final SampleFiles.Rescorer B_TO_C = g -> {
        if (!g.get("predicted").toString().equals("B")) {
            return false;
        }
        g.put("predicted", "C");
        g.put("correct", false);
        return true;
    };

    private org.apache.hadoop.fs.Path mmlu() {
        return SampleFiles.benchmarkDir(samples(), "v", "mmlu");
    }

    private List<String> mmluFiles() throws IOException {
        return files(dir.resolve("samples/variant=v")).get("benchmark=mmlu");
    }

    @Test
    void aLoneFileIsRewrittenOnlyWhereAScoreChangesAndAKilledRewriteIsCleanedUp() throws IOException {
        write("mmlu", "part-a-00000.parquet", row("mmlu", "q1", 0, "h1"), row("mmlu", "q2", 0, "h2"));
        Path old = dir.resolve("samples/variant=v/benchmark=mmlu/part-a-00000.parquet");
        byte[] asWritten = Files.readAllBytes(old);
        assertEquals(new SampleFiles.Compaction(0, 0), SampleFiles.compact(FS, CONF, mmlu(), "b", g -> false));
        assertEquals(List.of("part-a-00000.parquet"), mmluFiles());

        assertEquals(new SampleFiles.Compaction(0, 2), SampleFiles.compact(FS, CONF, mmlu(), "b", B_TO_C));
        assertEquals(List.of("part-b-compacted.parquet"), mmluFiles());
        assertEquals("C", readAll(dir.resolve("samples/variant=v/benchmark=mmlu/part-b-compacted.parquet")).get(0)
                .get("predicted").toString());
        // as if killed between the commit and the delete: the next run's cleanup takes the old file
        Files.write(old, asWritten);
        assertThrows(SweepRefusedException.class, () -> SampleFiles.existing(FS, CONF, samples(), "v"));
        assertEquals(1, SampleFiles.deleteLeftovers(FS, CONF, samples(), "v"));
        assertEquals(List.of("part-b-compacted.parquet"), mmluFiles());
        assertEquals(2, SampleFiles.existing(FS, CONF, samples(), "v").size());
    }

    @Test
    void twoAttemptsThatRewroteOneFileAtOnceLeaveOneCopy() throws IOException {
        write("mmlu", "part-a-00000.parquet", row("mmlu", "q1", 0, "h1"));
        int[] calls = {0};
        // an attempt overtaken in the middle of its rewrite, while its successor rewrites the same file
        SampleFiles.Rescorer overtaken = g -> {
            boolean changed = B_TO_C.rescore(g);
            if (++calls[0] == 2) {
                try {
                    SampleFiles.compact(FS, CONF, mmlu(), "newer", B_TO_C);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return changed;
        };
        SampleFiles.compact(FS, CONF, mmlu(), "older", overtaken);
        assertEquals(List.of("part-newer-compacted.parquet", "part-older-compacted.parquet"), mmluFiles());
        assertEquals(1, SampleFiles.deleteLeftovers(FS, CONF, samples(), "v"));
        assertEquals(1, mmluFiles().size());
        assertEquals(1, SampleFiles.existing(FS, CONF, samples(), "v").size());
    }

    @Test
    void aSampleThatCannotBeScoredAgainIsNamedAndItsFileStays() throws IOException {
        write("mmlu", "part-a-00000.parquet", row("mmlu", "q1", 0, "h1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SampleFiles.compact(FS, CONF,
                mmlu(), "b", g -> {
                    throw new IllegalArgumentException("token 'A' has log-probability 0.5");
                }));
        assertTrue(e.getMessage().endsWith("variant=v/benchmark=mmlu/part-a-00000.parquet: sample q1#0 cannot be scored "
                + "again: token 'A' has log-probability 0.5"), e.getMessage());
        assertEquals(List.of("part-a-00000.parquet"), mmluFiles());
    }

    private static List<GenericRecord> readAll(Path file) throws IOException {
        List<GenericRecord> out = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(
                HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), CONF)).withConf(CONF).build()) {
            for (GenericRecord g = reader.read(); g != null; g = reader.read()) {
                out.add(g);
            }
        }
        return out;
    }

    @Test
    void aFileWrittenBeforeStopAndTopKReadsAsNeither() throws IOException {
        List<Schema.Field> fields = SampleFiles.SCHEMA.getFields().stream()
                .filter(f -> !f.name().equals("stop") && !f.name().equals("top_k"))
                .map(f -> new Schema.Field(f, f.schema())).toList();
        Schema before = Schema.createRecord("Sample", null, "io.quantsweep.eval", false, fields);
        GenericRecord full = SampleFiles.record(row("mmlu", "q1", 0, "h1"));
        GenericData.Record old = new GenericData.Record(before);
        before.getFields().forEach(f -> old.put(f.name(), full.get(f.name())));
        org.apache.hadoop.fs.Path dirOfMmlu = SampleFiles.benchmarkDir(samples(), "v", "mmlu");
        FS.mkdirs(dirOfMmlu);
        AtomicParquet.write(FS, new org.apache.hadoop.fs.Path(dirOfMmlu, "part-a-00000.parquet"), before, CONF,
                List.of(old));
        SampleFiles.Settings read = SampleFiles.existing(FS, CONF, samples(), "v").get(new SampleKey("mmlu", "q1", 0))
                .settings();
        assertEquals(List.of(), read.stop());
        assertEquals(0, read.topK());
        // and a merge with a newer batch writes it whole
        write("mmlu", "part-b-00000.parquet", row("mmlu", "q2", 0, "h2"));
        assertEquals(2, merge(dirOfMmlu, "c"));
        assertEquals(List.of("\n\n"), SampleFiles.existing(FS, CONF, samples(), "v").get(new SampleKey("mmlu", "q2", 0))
                .settings().stop());
    }

    @Test
    void temporariesOfKilledTasksAreSkippedThenDeleted() throws IOException {
        write("mmlu", "part-a-00000.parquet", row("mmlu", "q1", 0, "h1"));
        Path stray = Files.writeString(dir.resolve("samples/variant=v/benchmark=mmlu/.part-b-00000.parquet.x.tmp"), "cut");
        assertEquals(1, SampleFiles.existing(FS, CONF, samples(), "v").size());
        assertEquals(1, SampleFiles.deleteLeftovers(FS, CONF, samples(), "v"));
        assertFalse(Files.exists(stray));
        assertEquals(1, SampleFiles.existing(FS, CONF, samples(), "v").size());
    }

    @Test
    void aKeyInTwoFilesIsRefusedNamingBoth() throws IOException {
        write("mmlu", "part-a-00000.parquet", row("mmlu", "q1", 0, "h1"));
        write("mmlu", "part-b-00000.parquet", row("mmlu", "q1", 0, "h1"));
        SweepRefusedException e = assertThrows(SweepRefusedException.class, () -> SampleFiles.existing(FS, CONF, samples(), "v"));
        assertTrue(e.getMessage().contains("mmlu/q1#0") && e.getMessage().contains("part-a-00000.parquet")
                && e.getMessage().contains("part-b-00000.parquet") && e.getMessage().endsWith("delete one of the two files and run again"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> write("mmlu", "q.parquet", row("mmlu", "q9", 0, "h")));
    }

    @Test
    void aBenchmarksBatchesAreMergedIntoOneFileWithEveryRecordAsItWas() throws IOException {
        write("mmlu", "part-a-00000.parquet", row("mmlu", "q1", 0, "h1"), row("mmlu", "q2", 0, "h2"));
        write("mmlu", "part-a-00001.parquet", row("mmlu", "q3", 0, "h3"));
        write("mmlu", "part-b-00000.parquet", row("mmlu", "q4", 1, "h4"));
        write("gsm8k", "part-a-00002.parquet", row("gsm8k", "q1", 0, "h5"));
        List<String> before = records("mmlu");

        assertEquals(3, merge(SampleFiles.benchmarkDir(samples(), "v", "mmlu"), "c"));
        assertEquals(Map.of("benchmark=mmlu", List.of("part-c-compacted.parquet"),
                "benchmark=gsm8k", List.of("part-a-00002.parquet")), files(dir.resolve("samples/variant=v")));
        assertEquals(before, records("mmlu"));
        Map<SampleKey, SampleFiles.Committed> found = SampleFiles.existing(FS, CONF, samples(), "v");
        assertEquals(5, found.size());
        assertEquals(SampleFiles.Settings.of(row("mmlu", "q4", 1, "h4")), found.get(new SampleKey("mmlu", "q4", 1)).settings());
        assertEquals(0, merge(SampleFiles.benchmarkDir(samples(), "v", "mmlu"), "d"),
                "one file is left as it is");
        assertEquals(0, merge(SampleFiles.benchmarkDir(samples(), "v", "gsm8k"), "d"));
        assertEquals(0, SampleFiles.deleteLeftovers(FS, CONF, samples(), "v"));
    }

    /** Merges by attempts {@code first} then {@code second}: the second's name sorts after the first's, or before. */
    @ParameterizedTest
    @CsvSource({"c,e", "x,b"})
    void filesLeftBehindByAKilledMergeAreDeletedBeforeTheNextRunReads(String first, String second) throws IOException {
        write("mmlu", "part-a-00000.parquet", row("mmlu", "q1", 0, "h1"));
        write("mmlu", "part-a-00001.parquet", row("mmlu", "q2", 0, "h2"));
        Path folder = dir.resolve("samples/variant=v/benchmark=mmlu");
        String firstMerge = "part-" + first + "-compacted.parquet";
        killedMerge(folder, first, "part-a-00000.parquet", "part-a-00001.parquet");
        SweepRefusedException twice = assertThrows(SweepRefusedException.class, () -> SampleFiles.existing(FS, CONF, samples(), "v"));
        assertTrue(twice.getMessage().contains(firstMerge), twice.getMessage());

        assertEquals(2, SampleFiles.deleteLeftovers(FS, CONF, samples(), "v"));
        assertEquals(Map.of("benchmark=mmlu", List.of(firstMerge)), files(dir.resolve("samples/variant=v")));
        assertEquals(2, SampleFiles.existing(FS, CONF, samples(), "v").size());

        // a later merge takes in the earlier one, and its leftovers are found the same way
        write("mmlu", "part-d-00000.parquet", row("mmlu", "q3", 0, "h3"));
        killedMerge(folder, second, firstMerge, "part-d-00000.parquet");
        assertEquals(2, SampleFiles.deleteLeftovers(FS, CONF, samples(), "v"));
        assertEquals(Map.of("benchmark=mmlu", List.of("part-" + second + "-compacted.parquet")),
                files(dir.resolve("samples/variant=v")));
        assertEquals(3, SampleFiles.existing(FS, CONF, samples(), "v").size());
    }

    /** Merges {@code folder} as {@code attempt}, then puts back {@code sources}: killed before it deleted them. */
    private static void killedMerge(Path folder, String attempt, String... sources) throws IOException {
        Map<String, byte[]> kept = new TreeMap<>();
        for (String name : sources) {
            kept.put(name, Files.readAllBytes(folder.resolve(name)));
        }
        assertEquals(sources.length, merge(new org.apache.hadoop.fs.Path(folder.toUri()), attempt));
        for (Map.Entry<String, byte[]> e : kept.entrySet()) {
            Files.write(folder.resolve(e.getKey()), e.getValue());
        }
    }

    /** The files of each folder below {@code variantDir}, by name, hidden ones included. */
    static Map<String, List<String>> files(Path variantDir) throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        try (var dirs = Files.list(variantDir)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                try (var names = Files.list(d)) {
                    out.put(d.getFileName().toString(), names.map(p -> p.getFileName().toString()).sorted().toList());
                }
            }
        }
        return out;
    }

    /**
     * Asserts that each benchmark folder of each variant below {@code samples} holds one file, and nothing
     * else, and that beside them a variant holds only the name of its writer.
     */
    static void assertOneFilePerBenchmark(Path samples) throws IOException {
        try (var variants = Files.list(samples)) {
            for (Path v : variants.filter(Files::isDirectory).toList()) {
                try (var beside = Files.list(v)) {
                    assertEquals(List.of(SampleFiles.WRITER), beside.filter(Files::isRegularFile)
                            .map(f -> f.getFileName().toString()).toList(), v.toString());
                }
                for (Map.Entry<String, List<String>> e : files(v).entrySet()) {
                    assertEquals(1, e.getValue().size(), v.getFileName() + "/" + e.getKey() + ": " + e.getValue());
                }
            }
        }
    }

    /** Every record of a benchmark's files, in file order, as text. */
    private List<String> records(String benchmark) throws IOException {
        List<String> out = new ArrayList<>();
        try (var names = Files.list(dir.resolve("samples/variant=v/benchmark=" + benchmark))) {
            for (Path p : names.sorted().toList()) {
                try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(
                        HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(p.toUri()), CONF)).build()) {
                    for (GenericRecord g = reader.read(); g != null; g = reader.read()) {
                        out.add(g.toString());
                    }
                }
            }
        }
        return out;
    }
}
