package io.quantsweep.eval.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quantsweep.arch.JsonFile;
import io.quantsweep.eval.backend.ServerInfo;
import io.quantsweep.io.AtomicOutput;
import io.quantsweep.io.AtomicParquet;
import io.quantsweep.io.WriterClaim;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The sample files of a sweep's output: {@code OUT/samples/variant=V/benchmark=B/part-*.parquet},
 * written by the variant's task as its samples complete and read by Spark as one table partitioned by
 * variant and benchmark (the two key columns live in the folder names, not in the files).
 *
 * <p>Commit protocol: each batch of samples becomes one Parquet file through {@link AtomicParquet}
 * (written as {@code .part-….parquet.<uuid>.tmp}, renamed when complete), so a reader sees a batch
 * whole or not at all; Spark skips the hidden temporaries. File names carry the task attempt's id and
 * a sequence number, so no two batches share a name. A task that starts reads the keys of the committed
 * files of its variant ({@link #existing}) and sends only the samples that are missing, so a rerun
 * resumes and never writes a key twice, as long as one task at a time works on a variant. The job
 * refuses to run with speculative execution; and a task attempt that Spark gave up on (its executor
 * lost, so a retry runs) while it still runs stops at its next batch: each attempt writes its id into
 * the variant's {@value #WRITER} file when it starts ({@link #claim}), and checks that the file still
 * names it before it commits a batch or merges ({@link #requireWriter}). Only a batch that such an
 * attempt commits between its check and the retry's start can repeat a key; the next run refuses that,
 * naming both files.
 *
 * <p>When a variant's task ends well, each benchmark's batches are merged into one file
 * ({@link #compact}), so a finished sweep leaves one file per variant and benchmark, not thousands of
 * small ones; the merge scores every sample again, and rewrites a lone file where a score changed. The
 * merged file names the batches it holds in its footer and is committed before they are deleted; a
 * task killed in between leaves those batches behind, and the next task of the variant deletes them
 * before it reads anything ({@link #deleteLeftovers}).
 */
public final class SampleFiles {
    /** Prefix of committed sample files. */
    static final String PART = "part-";

    /** The file of a variant's folder that names the task attempt writing its samples (hidden from Spark by its {@code _}). */
    static final String WRITER = "_writer";

    /** Suffix of a file that {@link #compact} merged from others. */
    static final String COMPACTED = "-compacted.parquet";

    /** Footer key of a merged file: the names of the files it holds, comma-separated. */
    static final String MERGED_FROM = "quantsweep.merged-from";

    /**
     * The Parquet (Avro) schema of a sample file. {@code stop} and {@code top_k} came later: a file without
     * them reads as no stop strings and no alternatives ({@link #withLaterColumns}), so its samples resume
     * where the requests carried neither and are refused, naming the file, where they did.
     */
    static final Schema SCHEMA = SchemaBuilder.record("Sample").namespace("io.quantsweep.eval").fields()
            .requiredString("item_id")
            .requiredInt("sample")
            .requiredString("subject")
            .requiredString("prompt_hash")
            .requiredString("template_id")
            .requiredString("response")
            .requiredString("predicted")
            .requiredString("gold")
            .optionalBoolean("correct")
            .requiredString("extractor")
            .name("letter_probabilities").type().map().values().doubleType().noDefault()
            .name("top_logprobs").type().map().values().doubleType().noDefault()
            .optionalInt("position")
            .requiredDouble("latency_ms")
            .optionalInt("tokens")
            .optionalString("finish_reason")
            .requiredInt("attempts")
            .requiredString("backend")
            .requiredString("build")
            .requiredString("model")
            .name("server_details").type().map().values().stringType().noDefault()
            .requiredString("scoring")
            .requiredLong("seed")
            .requiredDouble("temperature")
            .requiredDouble("top_p")
            .requiredInt("max_tokens")
            .name("stop").type().array().items().stringType().noDefault()
            .requiredInt("top_k")
            .requiredString("sweep")
            .name("completed_at").type(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)))
            .noDefault()
            .endRecord();

    /** The columns a task reads back to resume: the key and the settings a sample was made with. */
    private static final Schema RESUME = SchemaBuilder.record("Sample").namespace("io.quantsweep.eval").fields()
            .requiredString("item_id")
            .requiredInt("sample")
            .requiredString("prompt_hash")
            .requiredString("scoring")
            .requiredLong("seed")
            .requiredDouble("temperature")
            .requiredDouble("top_p")
            .requiredInt("max_tokens")
            .name("stop").type().array().items().stringType().noDefault()
            .requiredInt("top_k")
            .requiredString("backend")
            .requiredString("build")
            .requiredString("model")
            .name("server_details").type().map().values().stringType().noDefault()
            .endRecord();

    /** The samples table as Spark reads it: the file columns, then the partition columns. */
    public static final StructType SPARK_SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("item_id", DataTypes.StringType, false),
        DataTypes.createStructField("sample", DataTypes.IntegerType, false),
        DataTypes.createStructField("subject", DataTypes.StringType, false),
        DataTypes.createStructField("prompt_hash", DataTypes.StringType, false),
        DataTypes.createStructField("template_id", DataTypes.StringType, false),
        DataTypes.createStructField("response", DataTypes.StringType, false),
        DataTypes.createStructField("predicted", DataTypes.StringType, false),
        DataTypes.createStructField("gold", DataTypes.StringType, false),
        DataTypes.createStructField("correct", DataTypes.BooleanType, true),
        DataTypes.createStructField("extractor", DataTypes.StringType, false),
        DataTypes.createStructField("letter_probabilities",
                DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), false),
        DataTypes.createStructField("top_logprobs",
                DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), false),
        DataTypes.createStructField("position", DataTypes.IntegerType, true),
        DataTypes.createStructField("latency_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("tokens", DataTypes.IntegerType, true),
        DataTypes.createStructField("finish_reason", DataTypes.StringType, true),
        DataTypes.createStructField("attempts", DataTypes.IntegerType, false),
        DataTypes.createStructField("backend", DataTypes.StringType, false),
        DataTypes.createStructField("build", DataTypes.StringType, false),
        DataTypes.createStructField("model", DataTypes.StringType, false),
        DataTypes.createStructField("server_details",
                DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, false), false),
        DataTypes.createStructField("scoring", DataTypes.StringType, false),
        DataTypes.createStructField("seed", DataTypes.LongType, false),
        DataTypes.createStructField("temperature", DataTypes.DoubleType, false),
        DataTypes.createStructField("top_p", DataTypes.DoubleType, false),
        DataTypes.createStructField("max_tokens", DataTypes.IntegerType, false),
        DataTypes.createStructField("stop", DataTypes.createArrayType(DataTypes.StringType, false), false),
        DataTypes.createStructField("top_k", DataTypes.IntegerType, false),
        DataTypes.createStructField("sweep", DataTypes.StringType, false),
        DataTypes.createStructField("completed_at", DataTypes.TimestampType, false),
        DataTypes.createStructField("variant", DataTypes.StringType, false),
        DataTypes.createStructField("benchmark", DataTypes.StringType, false)});

    /**
     * What a committed sample was made with; a rerun must ask the same, or the output folder belongs
     * to other settings.
     */
    record Settings(String promptHash, String scoring, long seed, double temperature, double topP, int maxTokens,
            List<String> stop, int topK) {
        Settings {
            stop = List.copyOf(stop);
        }

        static Settings of(SampleRow r) {
            return new Settings(r.promptHash(), r.scoring(), r.seed(), r.temperature(), r.topP(), r.maxTokens(),
                    r.stop(), r.topK());
        }

        /** What differs from {@code now}, as "column then → now", columns named as in the sample files. */
        String changesTo(Settings now) {
            List<String> changes = new ArrayList<>();
            change(changes, "prompt_hash", promptHash, now.promptHash);
            change(changes, "scoring", scoring, now.scoring);
            change(changes, "seed", seed, now.seed);
            change(changes, "temperature", temperature, now.temperature);
            change(changes, "top_p", topP, now.topP);
            change(changes, "max_tokens", maxTokens, now.maxTokens);
            change(changes, "stop", quoted(stop), quoted(now.stop));
            change(changes, "top_k", topK, now.topK);
            return String.join(", ", changes);
        }

        private static void change(List<String> changes, String column, Object then, Object now) {
            if (!then.equals(now)) {
                changes.add(column + " " + then + " → " + now);
            }
        }

        /** Stop strings as JSON writes them, a newline as {@code \n}, so the message stays one line. */
        private static String quoted(List<String> strings) {
            try {
                return JsonFile.JSON.writeValueAsString(strings);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A map column of a read sample, keyed by Java's strings (Avro reads its own), values as {@code value} makes them. */
    static <V> Map<String, V> mapColumn(GenericRecord sample, String column, Function<Object, V> value) {
        Map<String, V> out = new HashMap<>();
        ((Map<?, ?>) sample.get(column)).forEach((k, v) -> out.put(k.toString(), value.apply(v)));
        return out;
    }

    /** A committed sample: its settings and the file holding it. */
    record Committed(Settings settings, Source source, Path file) {
    }

    /**
     * What answered a sample: the backend, its build and the model it ran, as the sample's columns say,
     * and the model file's identity ({@link ServerInfo#MODEL_FILE}) where the backend knows it; empty
     * elsewhere and in samples written before it was recorded.
     */
    record Source(String backend, String build, String model, String modelFile) {
        static Source of(ServerInfo info) {
            return new Source(info.backend(), info.build(), info.model(), info.modelFile());
        }

        /** Whether samples of this source may be joined by those of {@code now}: the same model, the same file. */
        boolean admits(Source now) {
            return info().sameModel(now.info());
        }

        private ServerInfo info() {
            return ServerInfo.of(backend, build, model,
                    modelFile.isEmpty() ? Map.of() : Map.of(ServerInfo.MODEL_FILE, modelFile));
        }

        @Override
        public String toString() {
            return "%s %s running %s".formatted(backend, build, model) + (modelFile.isEmpty() ? "" : " (" + modelFile + ")");
        }
    }

    private SampleFiles() {
    }

    /** {@code samples/variant=V}. */
    static Path variantDir(Path samples, String variant) {
        return new Path(samples, "variant=" + variant);
    }

    /** {@code samples/variant=V/benchmark=B}. */
    static Path benchmarkDir(Path samples, String variant, String benchmark) {
        return new Path(variantDir(samples, variant), "benchmark=" + benchmark);
    }

    /** Writes {@code rows} (all of one variant and benchmark) as the committed file {@code dir/name}. */
    static void write(FileSystem fs, Configuration conf, Path dir, String name, List<SampleRow> rows)
            throws IOException {
        if (!name.startsWith(PART)) {
            throw new IllegalArgumentException("sample file names start with " + PART + ", not " + name);
        }
        fs.mkdirs(dir);
        AtomicParquet.write(fs, new Path(dir, name), SCHEMA, conf, rows.stream().map(SampleFiles::record).toList());
    }

    static GenericRecord record(SampleRow r) {
        GenericRecord g = new GenericData.Record(SCHEMA);
        g.put("item_id", r.itemId());
        g.put("sample", r.sample());
        g.put("subject", r.subject());
        g.put("prompt_hash", r.promptHash());
        g.put("template_id", r.templateId());
        g.put("response", r.response());
        g.put("predicted", r.predicted());
        g.put("gold", r.gold());
        g.put("correct", r.correct());
        g.put("extractor", r.extractor());
        g.put("letter_probabilities", r.letterProbabilities());
        g.put("top_logprobs", r.topLogprobs());
        g.put("position", r.position());
        g.put("latency_ms", r.latencyMs());
        g.put("tokens", r.tokens());
        g.put("finish_reason", r.finishReason());
        g.put("attempts", r.attempts());
        g.put("backend", r.backend());
        g.put("build", r.build());
        g.put("model", r.model());
        g.put("server_details", r.serverDetails());
        g.put("scoring", r.scoring());
        g.put("seed", r.seed());
        g.put("temperature", r.temperature());
        g.put("top_p", r.topP());
        g.put("max_tokens", r.maxTokens());
        g.put("stop", r.stop());
        g.put("top_k", r.topK());
        g.put("sweep", r.sweep());
        g.put("completed_at", r.completedAtMillis());
        return g;
    }

    /** Makes {@code attempt} the one task attempt that writes {@code variant}'s samples from now on. */
    static void claim(FileSystem fs, Path samples, String variant, String attempt) throws IOException {
        Path dir = variantDir(samples, variant);
        fs.mkdirs(dir);
        WriterClaim.claim(fs, new Path(dir, WRITER), attempt);
    }

    /**
     * Throws {@link SupersededException} unless {@code attempt} is still the one that writes
     * {@code variant}'s samples. A missing file counts as another's: a retry is replacing it.
     */
    static void requireWriter(FileSystem fs, Path samples, String variant, String attempt) throws IOException {
        Path file = new Path(variantDir(samples, variant), WRITER);
        String writer = WriterClaim.holder(fs, file).orElse("(none: " + file + " is being replaced)");
        if (!writer.equals(attempt)) {
            throw new SupersededException(variant, attempt, writer);
        }
    }

    /**
     * The committed samples of {@code variant}, by key. Refuses a key found twice, which this protocol
     * never writes.
     */
    static Map<SampleKey, Committed> existing(FileSystem fs, Configuration conf, Path samples, String variant)
            throws IOException {
        Configuration projected = new Configuration(conf);
        AvroReadSupport.setRequestedProjection(projected, RESUME);
        AvroReadSupport.setAvroReadSchema(projected, RESUME);
        Map<SampleKey, Committed> found = new HashMap<>();
        for (FileStatus dir : list(fs, variantDir(samples, variant))) {
            String name = dir.getPath().getName();
            if (!dir.isDirectory() || !name.startsWith("benchmark=")) {
                continue;
            }
            String benchmark = name.substring("benchmark=".length());
            for (FileStatus f : committed(fs, dir.getPath())) {
                try (ParquetReader<GenericRecord> reader = open(f, projected)) {
                    for (GenericRecord g = reader.read(); g != null; g = reader.read()) {
                        SampleKey key = new SampleKey(benchmark, g.get("item_id").toString(), (Integer) g.get("sample"));
                        withLaterColumns(g);
                        List<String> stop = new ArrayList<>();
                        ((List<?>) g.get("stop")).forEach(t -> stop.add(t.toString()));
                        Settings s = new Settings(g.get("prompt_hash").toString(), g.get("scoring").toString(),
                                (Long) g.get("seed"), (Double) g.get("temperature"), (Double) g.get("top_p"),
                                (Integer) g.get("max_tokens"), stop, (Integer) g.get("top_k"));
                        Source source = new Source(g.get("backend").toString(), g.get("build").toString(),
                                g.get("model").toString(),
                                mapColumn(g, "server_details", Object::toString).getOrDefault(ServerInfo.MODEL_FILE, ""));
                        Committed before = found.put(key, new Committed(s, source, f.getPath()));
                        if (before != null) {
                            // what only a superseded attempt's last batch can do (see the class comment)
                            throw new SweepRefusedException(("sample %s of variant %s is in both %s and %s: two task "
                                    + "attempts wrote it; delete one of the two files and run again").formatted(key, variant,
                                    before.file(), f.getPath()));
                        }
                    }
                }
            }
        }
        return found;
    }

    /** Brings a read sample's score up to what the scoring gives now, in place; whether it changed. */
    @FunctionalInterface
    interface Rescorer {
        Rescorer NONE = sample -> false;

        boolean rescore(GenericRecord sample);
    }

    /** What {@link #compact} did: files merged into one (0: none) and samples whose score it brought up to date. */
    record Compaction(int merged, int rescored) {
    }

    /**
     * Merges the committed files of the benchmark folder {@code dir} into one, {@code part-<attempt>}
     * {@value #COMPACTED}, when it holds two or more, or when {@code rescorer} changes a sample of its one
     * file; the samples go through {@code rescorer} on the way.
     */
    static Compaction compact(FileSystem fs, Configuration conf, Path dir, String attempt, Rescorer rescorer)
            throws IOException {
        List<FileStatus> parts = committed(fs, dir);
        Configuration read = new Configuration(conf);
        AvroReadSupport.setAvroReadSchema(read, SCHEMA);
        if (parts.isEmpty()
                || parts.size() == 1 && (rescorer == Rescorer.NONE || !anyRescored(parts.get(0), read, rescorer))) {
            return new Compaction(0, 0);
        }
        String names = String.join(",", parts.stream().map(f -> f.getPath().getName()).toList());
        int[] rescored = {0};
        AtomicParquet.write(fs, new Path(dir, PART + attempt + COMPACTED), SCHEMA, conf, Map.of(MERGED_FROM, names),
                writer -> {
                    for (FileStatus f : parts) {
                        try (ParquetReader<GenericRecord> reader = open(f, read)) {
                            for (GenericRecord g = reader.read(); g != null; g = reader.read()) {
                                rescored[0] += rescore(rescorer, withLaterColumns(g), f) ? 1 : 0;
                                writer.write(g);
                            }
                        }
                    }
                });
        for (FileStatus f : parts) {
            fs.delete(f.getPath(), false);
        }
        return new Compaction(parts.size() > 1 ? parts.size() : 0, rescored[0]);
    }

    private static boolean anyRescored(FileStatus file, Configuration read, Rescorer rescorer) throws IOException {
        try (ParquetReader<GenericRecord> reader = open(file, read)) {
            for (GenericRecord g = reader.read(); g != null; g = reader.read()) {
                if (rescore(rescorer, withLaterColumns(g), file)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code rescorer} on one sample, a refusal of its data naming the file and the sample. */
    private static boolean rescore(Rescorer rescorer, GenericRecord sample, FileStatus file) {
        try {
            return rescorer.rescore(sample);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("%s: sample %s#%s cannot be scored again: %s".formatted(file.getPath(),
                    sample.get("item_id"), sample.get("sample"), e.getMessage()), e);
        }
    }

    /**
     * Deletes what killed tasks of {@code variant} left behind: temporary files (names starting with
     * {@code .}) and files that a committed merge holds already. Returns how many it deleted; only safe
     * while no other task works on the variant.
     */
    static int deleteLeftovers(FileSystem fs, Configuration conf, Path samples, String variant) throws IOException {
        int deleted = 0;
        for (FileStatus dir : list(fs, variantDir(samples, variant))) {
            if (!dir.isDirectory()) {
                // a claim killed while it wrote the writer file
                if (isTemporary(dir) && fs.delete(dir.getPath(), false)) {
                    deleted++;
                }
                continue;
            }
            for (FileStatus f : list(fs, dir.getPath())) {
                if (isTemporary(f) && fs.delete(f.getPath(), false)) {
                    deleted++;
                }
            }
            // a merge may hold an earlier merge, which then goes before its own footer is read
            Set<String> gone = new HashSet<>();
            Set<String> mergedSets = new HashSet<>();
            for (FileStatus f : committed(fs, dir.getPath())) {
                if (!f.getPath().getName().endsWith(COMPACTED) || gone.contains(f.getPath().getName())) {
                    continue;
                }
                String merged;
                try (ParquetFileReader footer = ParquetFileReader.open(HadoopInputFile.fromStatus(f, conf))) {
                    merged = footer.getFileMetaData().getKeyValueMetaData().getOrDefault(MERGED_FROM, "");
                }
                // two attempts that merged the same files at once wrote the same samples twice: one copy goes
                if (!merged.isEmpty() && !mergedSets.add(merged)) {
                    if (gone.add(f.getPath().getName()) && fs.delete(f.getPath(), false)) {
                        deleted++;
                    }
                    continue;
                }
                for (String name : merged.split(",")) {
                    if (!name.isEmpty() && gone.add(name) && fs.delete(new Path(dir.getPath(), name), false)) {
                        deleted++;
                    }
                }
            }
        }
        return deleted;
    }

    /** A file {@link AtomicOutput} or {@link AtomicParquet} had not committed. */
    private static boolean isTemporary(FileStatus f) {
        String name = f.getPath().getName();
        return f.isFile() && name.startsWith(".") && name.endsWith(".tmp");
    }

    /** The committed sample files of a benchmark folder, by name. */
    private static List<FileStatus> committed(FileSystem fs, Path dir) throws IOException {
        return list(fs, dir).stream().filter(f -> f.isFile() && f.getPath().getName().startsWith(PART)).toList();
    }

    /** {@code g}, with the columns that a file written before them lacks (read as null) at what they were then. */
    private static GenericRecord withLaterColumns(GenericRecord g) {
        if (g.get("stop") == null) {
            g.put("stop", List.of());
        }
        if (g.get("top_k") == null) {
            g.put("top_k", 0);
        }
        return g;
    }

    private static ParquetReader<GenericRecord> open(FileStatus f, Configuration conf) throws IOException {
        return AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromStatus(f, conf))
                .withDataModel(GenericData.get()).withConf(conf).build();
    }

    private static List<FileStatus> list(FileSystem fs, Path dir) throws IOException {
        try {
            List<FileStatus> out = new ArrayList<>(List.of(fs.listStatus(dir)));
            out.sort((a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
            return out;
        } catch (FileNotFoundException e) {
            return List.of();
        }
    }
}
