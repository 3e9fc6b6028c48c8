package io.quantsweep.report;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.eval.metrics.McNemar;
import io.quantsweep.eval.metrics.PaperAggregate;
import io.quantsweep.eval.run.EvalJob;
import io.quantsweep.eval.run.SummaryRow;
import io.quantsweep.plan.ModelInput;
import io.quantsweep.plan.ModelPlan;
import io.quantsweep.plan.PlanOptions;
import io.quantsweep.plan.PlannedTensor;
import io.quantsweep.plan.VariantPlan;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quantize.QuantizeTableSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Output roots for the report's tests, written as the jobs write them: Parquet part files with the
 * jobs' own schemas (the quantize job's {@code _stats/tensors}, the sweep's {@code summary} with its
 * weighted-average rows, and {@code kld}), so a renamed column breaks these tests, and a
 * {@code _SUCCESS} marker.
 *
 * <ul>
 *   <li>{@link #tiny}: two quantized variants of a three-layer model and a three-benchmark sweep with
 *       an endpoint-only variant, figures small enough to check by hand;</li>
 *   <li>{@link #deepSeekV3}: the planner's real tensor types and sizes for DeepSeek-V3 671B in
 *       Q4_K_M, Q3_K_M, DQ3_K_M and Q2_K_L, each type's relative RMSE as our codecs give it on seeded
 *       Gaussian rows, and the paper's DeepSeek-V3 scores (arXiv 2505.02390, Table 3) against its
 *       FP8 API baseline, with McNemar p-values for an assumed share of discordant items ({@link #pValue});</li>
 *   <li>{@link #apart}, {@link #gap} and {@link #kldOnly}: the cases the joins and averages must not
 *       get wrong.</li>
 * </ul>
 */
final class ReportFixture {
    /** {@code quant/_stats/tensors} as the quantize job writes it. */
    static final StructType TENSOR_STATS_TYPE = QuantizeTableSchemas.tensorStats();
    /** {@code eval/summary} as the sweep writes it. */
    static final StructType SUMMARY_TYPE = SummaryRow.SCHEMA;
    /** {@code eval/kld} as the sweep writes it. */
    static final StructType KLD_TYPE = EvalJob.KLD_SCHEMA;
    static final Schema TENSOR_STATS = avro(TENSOR_STATS_TYPE, "TensorStats");
    static final Schema SUMMARY = avro(SUMMARY_TYPE, "Summary");
    static final Schema KLD = avro(KLD_TYPE, "Kld");

    private ReportFixture() {
    }

    /** The Avro schema of a Spark table of strings, numbers and string arrays; nullable columns are optional. */
    static Schema avro(StructType type, String name) {
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record(name).fields();
        for (StructField f : type.fields()) {
            Schema t;
            if (f.dataType() instanceof ArrayType a && a.elementType() == DataTypes.StringType) {
                t = Schema.createArray(Schema.create(Schema.Type.STRING));
            } else {
                t = Schema.create(switch (f.dataType().typeName()) {
                    case "string" -> Schema.Type.STRING;
                    case "integer" -> Schema.Type.INT;
                    case "long" -> Schema.Type.LONG;
                    case "double" -> Schema.Type.DOUBLE;
                    case "boolean" -> Schema.Type.BOOLEAN;
                    default -> throw new IllegalArgumentException("no Avro type for column " + f);
                });
            }
            fields = f.nullable() ? fields.name(f.name()).type(Schema.createUnion(Schema.create(Schema.Type.NULL), t)).withDefault(null)
                    : fields.name(f.name()).type(t).noDefault();
        }
        return fields.endRecord();
    }

    /** A record of {@code schema} with the given values; columns not given are null. */
    static GenericRecord newRecord(Schema schema, Map<String, Object> values) {
        GenericRecord r = new GenericData.Record(schema);
        values.forEach((k, v) -> {
            if (schema.getField(k) == null) {
                throw new IllegalArgumentException(schema.getName() + " has no column " + k);
            }
            r.put(k, v);
        });
        return r;
    }

    /** One tensor of one variant; relative RMSE 0 for exact tensors. */
    record Stat(String variant, String tensor, int layer, String kind, GgmlType type, long elements, double relativeRmse) {
        GenericRecord record() {
            Map<String, Object> v = new HashMap<>();
            v.put("variant", variant);
            v.put("tensor", tensor);
            v.put("layer", layer);
            v.put("kind", kind);
            v.put("elements", elements);
            v.put("bytes", type.bytesFor(elements));
            v.put("units", 1);
            v.put("type", type.name());
            // the report reads only the relative RMSE; the rest is consistent with a unit-variance source
            v.put("rmse", relativeRmse);
            v.put("max_abs_error", 4 * relativeRmse);
            v.put("relative_rmse", relativeRmse);
            v.put("cosine", 1 - relativeRmse * relativeRmse / 2);
            return newRecord(TENSOR_STATS, v);
        }
    }

    /** One variant on one benchmark; NaN std or p for none. */
    record Score(String variant, String benchmark, String baseline, double accuracy, double std, long items, double weight,
            double pValue) {
        GenericRecord record() {
            Map<String, Object> v = new HashMap<>();
            v.put("variant", variant);
            v.put("benchmark", benchmark);
            v.put("kind", SummaryRow.BENCHMARK);
            v.put("scoring", "fixture");
            v.put("items", Math.toIntExact(items));
            v.put("samples", items * (Double.isNaN(std) ? 1 : 4));
            v.put("samples_per_item", Double.isNaN(std) ? 1 : 4);
            v.put("accuracy", accuracy);
            v.put("std_over_samples", Double.isNaN(std) ? null : std);
            // with 4 samples, some items right only in some of them
            v.put("pass_at_k", Double.isNaN(std) ? null : Math.min(1, accuracy + 2 * std));
            v.put("cons_at_k", Double.isNaN(std) ? null : accuracy + std);
            // of 0/1 item scores, as eval/summary computes it for one sample per item
            v.put("standard_error", Math.sqrt(accuracy * (1 - accuracy) / (items - 1)));
            v.put("weight", weight);
            v.put("baseline", baseline);
            v.put("mcnemar_p_value", Double.isNaN(pValue) ? null : pValue);
            v.put("benchmarks", List.of(benchmark));
            return newRecord(SUMMARY, v);
        }
    }

    /** The sweep's weighted-average row of a variant: the report leaves it out and computes its own. */
    static GenericRecord weightedAverageRow(String variant, List<Score> scores) {
        Map<String, Double> accuracy = new TreeMap<>();
        Map<String, Double> weights = new TreeMap<>();
        scores.stream().filter(s -> s.variant().equals(variant)).forEach(s -> {
            accuracy.put(s.benchmark(), s.accuracy());
            weights.put(s.benchmark(), s.weight());
        });
        PaperAggregate.WeightedAverage w = PaperAggregate.weightedAverage(accuracy, weights);
        Map<String, Object> v = new HashMap<>();
        v.put("variant", variant);
        v.put("benchmark", SummaryRow.WEIGHTED_AVERAGE);
        v.put("kind", SummaryRow.WEIGHTED_AVERAGE);
        v.put("items", 0);
        v.put("samples", 0L);
        v.put("accuracy", w.value());
        v.put("weight", w.totalWeight());
        v.put("baseline", scores.get(0).baseline());
        v.put("benchmarks", w.used());
        return newRecord(SUMMARY, v);
    }

    /** Writes {@code dir/part-00000-fixture.snappy.parquet} and {@code dir/_SUCCESS}. */
    static void writeTable(Path dir, Schema schema, List<GenericRecord> rows) throws IOException {
        Files.createDirectories(dir);
        org.apache.hadoop.fs.Path part = RealModelFiles.hadoop(dir.resolve("part-00000-fixture.snappy.parquet"));
        try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(HadoopOutputFile.fromPath(part, new Configuration()))
                .withSchema(schema).withCompressionCodec(CompressionCodecName.SNAPPY).build()) {
            for (GenericRecord r : rows) {
                w.write(r);
            }
        }
        Files.write(dir.resolve("_SUCCESS"), new byte[0]);
    }

    static void writeStats(Path root, List<Stat> stats) throws IOException {
        writeTable(root.resolve(Columns.Folders.TENSOR_STATS), TENSOR_STATS, stats.stream().map(Stat::record).toList());
    }

    /** The scores, then a weighted-average row per variant, as the sweep writes them. */
    static void writeSummary(Path root, List<Score> scores) throws IOException {
        writeTable(root.resolve(Columns.Folders.SUMMARY), SUMMARY, summaryRecords(scores));
    }

    static List<GenericRecord> summaryRecords(List<Score> scores) {
        List<GenericRecord> rows = new ArrayList<>(scores.stream().map(Score::record).toList());
        scores.stream().map(Score::variant).distinct().forEach(v -> rows.add(weightedAverageRow(v, scores)));
        return rows;
    }

    /** {@code eval/kld} rows: variant, benchmark, positions, mean KL and top-1 agreement (NaN for null). */
    static void writeKld(Path root, String baseline, List<Object[]> rows) throws IOException {
        List<GenericRecord> records = new ArrayList<>();
        for (Object[] r : rows) {
            Map<String, Object> v = new HashMap<>();
            v.put("variant", r[0]);
            v.put("benchmark", r[1]);
            v.put("baseline", baseline);
            v.put("top_k", 20);
            v.put("positions", r[2]);
            v.put("mean_kl", Double.isNaN((double) r[3]) ? null : r[3]);
            v.put("top1_agreement", Double.isNaN((double) r[4]) ? null : r[4]);
            records.add(newRecord(KLD, v));
        }
        writeTable(root.resolve(Columns.Folders.KLD), KLD, records);
    }

    /**
     * Variants {@code Q8_0} and {@code Q4_K_M} of a model with layers 0 and 1 (256 elements per
     * tensor): {@code token_embd} and {@code output} outside the blocks, {@code attn_q}, {@code ffn_down}
     * and an exact F32 {@code attn_norm} in each block; Q4_K_M has {@code ffn_down} of layer 1 in Q6_K.
     */
    static List<Stat> tinyStats() {
        List<Stat> out = new ArrayList<>();
        for (String v : List.of("Q8_0", "Q4_K_M")) {
            boolean q8 = v.equals("Q8_0");
            GgmlType main = q8 ? GgmlType.Q8_0 : GgmlType.Q4_K;
            double err = q8 ? 0.004 : 0.04;
            out.add(new Stat(v, "token_embd.weight", -1, "token_embd", main, 256, err));
            for (int layer = 0; layer < 2; layer++) {
                String blk = "blk." + layer + ".";
                out.add(new Stat(v, blk + "attn_norm.weight", layer, "attn_norm", GgmlType.F32, 256, 0));
                out.add(new Stat(v, blk + "attn_q.weight", layer, "attn_q", main, 256, err * (1 + layer)));
                boolean upgraded = !q8 && layer == 1;
                out.add(new Stat(v, blk + "ffn_down.weight", layer, "ffn_down", upgraded ? GgmlType.Q6_K : main, 256,
                        upgraded ? 0.01 : err));
            }
            out.add(new Stat(v, "output.weight", -1, "output", q8 ? GgmlType.Q8_0 : GgmlType.Q6_K, 256, q8 ? 0.004 : 0.01));
        }
        return out;
    }

    /**
     * Baseline {@code q8_0}, {@code q4_k_m} (the stats' Q4_K_M) and {@code api} (no stats) on mmlu
     * (weight 2), gsm8k (weight 1) and aime24 (weight 0.4); q4_k_m is significantly worse on mmlu
     * (p = 0.004) and not on gsm8k (p = 0.03 → one mark) or aime24 (p = 0.5).
     */
    static List<Score> tinyScores() {
        String b = "q8_0";
        return List.of(
                new Score("q8_0", "mmlu", b, 0.80, Double.NaN, 100, 2, Double.NaN),
                new Score("q8_0", "gsm8k", b, 0.60, Double.NaN, 50, 1, Double.NaN),
                new Score("q8_0", "aime24", b, 0.30, 0.05, 10, 0.4, Double.NaN),
                new Score("q4_k_m", "mmlu", b, 0.70, Double.NaN, 100, 2, 0.004),
                new Score("q4_k_m", "gsm8k", b, 0.56, Double.NaN, 50, 1, 0.03),
                new Score("q4_k_m", "aime24", b, 0.40, 0.1, 10, 0.4, 0.5),
                new Score("api", "mmlu", b, 0.90, Double.NaN, 100, 2, 0.2),
                new Score("api", "gsm8k", b, 0.70, Double.NaN, 50, 1, 0.9));
    }

    /** {@link #tinyStats}, {@link #tinyScores} and a kld table for q4_k_m and api under {@code root}. */
    static Path tiny(Path root) throws IOException {
        writeStats(root, tinyStats());
        writeSummary(root, tinyScores());
        writeKld(root, "q8_0", List.of(new Object[] {"q4_k_m", "wiki", 512L, 0.0123, 0.95},
            new Object[] {"api", "wiki", 512L, Double.NaN, Double.NaN}));
        return root;
    }

    /**
     * {@link #tinyStats} with a sweep of other variants (baseline {@code bf16} and {@code f16}, as a
     * sweep of the unquantized conversions gives): no variant has both a size and a score.
     */
    static Path apart(Path root) throws IOException {
        writeStats(root, tinyStats());
        writeSummary(root, tinyScores().stream().filter(s -> !s.variant().equals("api")).map(s -> new Score(
                s.variant().equals("q8_0") ? "bf16" : "f16", s.benchmark(), "bf16", s.accuracy(), s.std(), s.items(), s.weight(),
                s.pValue())).toList());
        return root;
    }

    /**
     * {@link #tiny} without Q4_K_M's aime24 score: a quantized variant that lacks a benchmark the
     * baseline has, so its averages would be over other benchmarks than the baseline's.
     */
    static Path gap(Path root) throws IOException {
        writeStats(root, tinyStats());
        writeSummary(root, tinyScores().stream().filter(s -> !(s.variant().equals("q4_k_m") && s.benchmark().equals("aime24"))).toList());
        return root;
    }

    /**
     * A sweep of kld benchmarks alone, as versions before it stopped writing a summary left it: an
     * {@code eval/summary} part file without rows, and {@code eval/kld}; no quantization statistics.
     */
    static Path kldOnly(Path root) throws IOException {
        writeTable(root.resolve(Columns.Folders.SUMMARY), SUMMARY, List.of());
        writeKld(root, "q8_0", List.of(new Object[] {"q4_k_m", "wiki", 512L, 0.0123, 0.95},
            new Object[] {"q2_k", "wiki", 512L, 0.0871, 0.81}));
        return root;
    }

    /** The paper's benchmarks: name, items, weight. */
    private record Bench(String name, long items, double weight) {
    }

    private static final List<Bench> BENCHMARKS = List.of(new Bench("aime24", 30, 0.4), new Bench("math500", 500, 1),
            new Bench("gpqa", 198, 1), new Bench("mbpp", 378, 1), new Bench("mbpp+", 378, 1), new Bench("livecodebench", 315, 1),
            new Bench("mmlu", 14042, 2), new Bench("cmmlu", 11582, 2), new Bench("ceval", 1346, 2));

    /** arXiv 2505.02390 Table 3 (DeepSeek-V3): score and ± per benchmark in {@link #BENCHMARKS} order, NaN ± for none. */
    private static final Map<String, double[][]> PAPER_V3 = new LinkedHashMap<>();

    static {
        PAPER_V3.put("fp8-api", new double[][] {{38.34, 2.52}, {89.85, 0.30}, {52.23, 3.44}, {87.75, 0.61}, {73.35, 1.21},
            {36.21, 0.47}, {88.06, Double.NaN}, {81.57, Double.NaN}, {83.10, Double.NaN}});
        PAPER_V3.put("q4_k_m", new double[][] {{41.66, 4.72}, {90.55, 0.44}, {51.95, 2.64}, {87.18, 0.70}, {72.90, 0.66},
            {37.40, 1.32}, {88.09, Double.NaN}, {82.68, Double.NaN}, {82.90, Double.NaN}});
        PAPER_V3.put("q3_k_m", new double[][] {{38.73, 4.70}, {89.05, 1.27}, {52.13, 1.25}, {88.55, 0.90}, {73.08, 1.31},
            {36.21, 2.03}, {87.31, Double.NaN}, {80.69, Double.NaN}, {82.60, Double.NaN}});
        PAPER_V3.put("q2_k_l", new double[][] {{15.41, 3.55}, {77.30, 0.66}, {43.65, 1.32}, {81.10, 1.55}, {67.83, 1.09},
            {29.14, 0.92}, {84.25, Double.NaN}, {77.32, Double.NaN}, {77.60, Double.NaN}});
        PAPER_V3.put("dq3_k_m", new double[][] {{39.16, 4.97}, {89.65, 0.98}, {52.38, 1.31}, {89.38, 0.35}, {74.78, 0.56},
            {36.76, 0.67}, {87.87, Double.NaN}, {81.07, Double.NaN}, {83.40, Double.NaN}});
    }

    /** The quantized variants of {@link #deepSeekV3}, as the planner names them. */
    static final List<String> DEEPSEEK_VARIANTS = List.of("Q4_K_M", "Q3_K_M", "DQ3_K_M", "Q2_K_L");

    /** The DeepSeek-V3 output root described in the class comment. */
    static Path deepSeekV3(Path root) throws IOException {
        ModelInput input;
        try {
            input = ModelInput.read(RealModelFiles.fs(), RealModelFiles.hadoop(Path.of("..", "conf", "models", "deepseek-v3-671b")
                    .toAbsolutePath()), MlaLayout.SPLIT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ModelPlan plan = ModelPlan.plan(input, DEEPSEEK_VARIANTS, PlanOptions.DEFAULT);
        Map<GgmlType, Double> errors = new EnumMap<>(GgmlType.class);
        List<Stat> stats = new ArrayList<>();
        for (VariantPlan v : plan.variants()) {
            for (PlannedTensor t : v.tensors()) {
                double err = errors.computeIfAbsent(t.type(), ReportFixture::gaussianRelativeRmse);
                stats.add(new Stat(v.variant(), t.name(), t.tensor().layer(), kind(t.name()), t.type(), t.elements(), err));
            }
        }
        writeStats(root, stats);

        List<Score> scores = new ArrayList<>();
        double[][] base = PAPER_V3.get("fp8-api");
        PAPER_V3.forEach((variant, rows) -> {
            for (int i = 0; i < BENCHMARKS.size(); i++) {
                Bench b = BENCHMARKS.get(i);
                double p = variant.equals("fp8-api") ? Double.NaN : pValue(b.items(), base[i][0] / 100, rows[i][0] / 100);
                scores.add(new Score(variant, b.name(), "fp8-api", rows[i][0] / 100, rows[i][1] / 100, b.items(), b.weight(), p));
            }
        });
        writeSummary(root, scores);
        return root;
    }

    /** The kind of a tensor as the quantize job's statistics name it: without {@code blk.N.} and {@code .weight}/{@code .bias}. */
    static String kind(String tensor) {
        String k = tensor.startsWith("blk.") ? tensor.substring(tensor.indexOf('.', 4) + 1) : tensor;
        return k.replaceFirst("\\.(weight|bias)$", "");
    }

    /** The relative RMSE of {@code type} on 16 seeded rows of 256 standard normal values (0 for F32). */
    static double gaussianRelativeRmse(GgmlType type) {
        if (type == GgmlType.F32) {
            return 0;
        }
        Random random = new Random(20250505L);
        float[] x = new float[16 * 256];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] y = Codecs.dequantize(type, Codecs.quantize(type, x, 256, null), x.length);
        double se = 0;
        double sx = 0;
        for (int i = 0; i < x.length; i++) {
            se += (y[i] - (double) x[i]) * (y[i] - (double) x[i]);
            sx += (double) x[i] * x[i];
        }
        return Math.sqrt(se / sx);
    }

    /**
     * The McNemar p-value when the accuracies differ as given and 6% of {@code items} (or as many as
     * the difference needs) are discordant.
     */
    static double pValue(long items, double baseline, double variant) {
        long net = Math.round((variant - baseline) * items);
        long discordant = Math.max(Math.round(items * 0.06), Math.abs(net));
        long c = (discordant + net) / 2;
        return McNemar.pValue(Math.toIntExact(discordant - c), Math.toIntExact(c));
    }
}
