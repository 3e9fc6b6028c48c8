package io.quantsweep.quantize;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.arch.JsonFile;
import io.quantsweep.plan.PlannedTensor;
import io.quantsweep.plan.VariantPlan;
import io.quantsweep.quant.QualityStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Parquet tables of a run: {@code _plan/} (every tensor of every variant: its type, why, its file
 * and exact offsets, its units) and {@code _stats/tensors/}, {@code _stats/units/} ({@link StatsReport}),
 * each one file, rewritten by every attempt of the run.
 */
final class QuantizeTables {
    static final String PLAN = "_plan";
    static final String STATS = "_stats";

    static final StructType PLAN_SCHEMA = new StructType()
            .add("variant", DataTypes.StringType, false)
            .add("file", DataTypes.StringType, false)
            .add("shard", DataTypes.IntegerType, false)
            .add("tensor", DataTypes.StringType, false)
            .add("layer", DataTypes.IntegerType, false)
            .add("type", DataTypes.StringType, false)
            .add("chosen_type", DataTypes.StringType, false)
            .add("decision", DataTypes.StringType, false)
            .add("decided_by", DataTypes.StringType, false)
            .add("ne", DataTypes.createArrayType(DataTypes.LongType, false), false)
            .add("elements", DataTypes.LongType, false)
            .add("bytes", DataTypes.LongType, false)
            .add("data_offset", DataTypes.LongType, false)
            .add("file_offset", DataTypes.LongType, false)
            .add("first_unit", DataTypes.IntegerType, false)
            .add("units", DataTypes.IntegerType, false);

    private static final StructType QUALITY = new StructType()
            .add("type", DataTypes.StringType, false)
            .add("rmse", DataTypes.DoubleType, false)
            .add("max_abs_error", DataTypes.DoubleType, false)
            .add("relative_rmse", DataTypes.DoubleType, false)
            .add("cosine", DataTypes.DoubleType, false);

    static final StructType TENSOR_STATS_SCHEMA = position(new StructType()
            .add("variant", DataTypes.StringType, false)
            .add("tensor", DataTypes.StringType, false))
            .add("elements", DataTypes.LongType, false)
            .add("bytes", DataTypes.LongType, false)
            .add("units", DataTypes.IntegerType, false)
            .merge(QUALITY, false);

    static final StructType UNIT_STATS_SCHEMA = position(new StructType()
            .add("variant", DataTypes.StringType, false)
            .add("unit", DataTypes.IntegerType, false)
            .add("tensor", DataTypes.StringType, false))
            .add("row_first", DataTypes.LongType, false)
            .add("row_end", DataTypes.LongType, false)
            .add("bytes", DataTypes.LongType, false)
            .add("crc32c", DataTypes.LongType, false)
            .merge(QUALITY, false);

    private QuantizeTables() {
    }

    private static StructType position(StructType s) {
        return s.add("layer", DataTypes.IntegerType, false)
                .add("kind", DataTypes.StringType, false)
                .add("expert_first", DataTypes.IntegerType, true)
                .add("expert_last", DataTypes.IntegerType, true);
    }

    static void writePlan(SparkSession spark, QuantizePlan plan, Path out) {
        Map<String, int[]> unitsOf = new HashMap<>();
        for (WorkUnit u : plan.units()) {
            unitsOf.computeIfAbsent(u.tensor().name(), k -> new int[] {u.index(), 0})[1]++;
        }
        List<Row> rows = new ArrayList<>();
        for (VariantPlan v : plan.variants()) {
            for (PlannedTensor t : v.tensors()) {
                int[] units = unitsOf.get(t.name());
                rows.add(RowFactory.create(v.variant(), v.fileNames().get(t.shard()), t.shard(), t.name(), t.tensor().layer(),
                        t.type().name(), t.chosen().name(), t.decision().name(), t.decidedBy(),
                        Arrays.stream(t.ne()).boxed().toArray(Long[]::new), t.elements(), t.bytes(), t.offset(), t.fileOffset(),
                        units[0], units[1]));
            }
        }
        write(spark, rows, PLAN_SCHEMA, new Path(out, PLAN), "plan of " + plan.variants().size() + " variant(s)");
    }

    static void writeStats(SparkSession spark, StatsReport report, Path out) {
        List<Row> tensors = new ArrayList<>();
        for (StatsReport.TensorRow t : report.tensors()) {
            tensors.add(row(List.of(t.variant(), t.tensor()), t.position(), List.of(t.elements(), t.bytes(), t.units()),
                    t.type().name(), t.stats()));
        }
        write(spark, tensors, TENSOR_STATS_SCHEMA, new Path(out, STATS + "/tensors"), "tensor statistics");
        List<Row> units = new ArrayList<>();
        for (StatsReport.UnitRow u : report.units()) {
            units.add(row(List.of(u.variant(), u.unit(), u.tensor()), u.position(), List.of(u.row0(), u.row1(), u.bytes(), u.crc32c()),
                    u.type().name(), u.stats()));
        }
        write(spark, units, UNIT_STATS_SCHEMA, new Path(out, STATS + "/units"), "unit statistics");
    }

    private static Row row(List<Object> key, StatsReport.Position p, List<Object> sizes, String type, QualityStats s) {
        List<Object> values = new ArrayList<>(key);
        values.add(p.layer());
        values.add(p.kind());
        values.add(p.sliceFirst());
        values.add(p.sliceLast());
        values.addAll(sizes);
        values.add(type);
        values.add(s.rmse());
        values.add(s.maxAbsError());
        values.add(s.relativeRmse());
        values.add(s.cosine());
        return RowFactory.create(values.toArray());
    }

    private static void write(SparkSession spark, List<Row> rows, StructType schema, Path path, String what) {
        spark.sparkContext().setJobDescription("quantize: write " + what + " to " + path);
        spark.createDataFrame(rows, schema).coalesce(1).write().mode(SaveMode.Overwrite).parquet(path.toString());
    }

    /** What {@code _SUCCESS} records besides the manifest: every file with its size, and the unit counts. */
    static ObjectNode successSummary(QuantizePlan plan, Path out, int computed, int reused) {
        ObjectNode o = JsonFile.JSON.createObjectNode();
        o.put("units", plan.units().size());
        o.put("unitsQuantized", computed);
        o.put("unitsReused", reused);
        ArrayNode files = o.putArray("files");
        for (int v = 0; v < plan.variants().size(); v++) {
            VariantPlan vp = plan.variants().get(v);
            for (int s = 0; s < vp.shards().size(); s++) {
                ObjectNode f = files.addObject();
                f.put("variant", vp.variant());
                f.put("path", plan.target(out, v, s).toString());
                f.put("bytes", vp.shards().get(s).fileSize());
            }
        }
        return o;
    }
}
