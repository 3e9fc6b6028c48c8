package io.quantsweep.plan;

import io.quantsweep.io.AtomicParquet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The per-tensor table of a {@link ModelPlan} as one Parquet file, {@code tensors.parquet}: one row
 * per variant and tensor, in file order, for notebooks ({@code spark.read.parquet}). Written with
 * parquet-avro directly (no Spark session) through {@link AtomicParquet}, so the file appears only
 * when complete.
 *
 * <p>Columns: {@code model}, {@code variant}, {@code file_type} (llama_ftype id), {@code position}
 * (index in the variant's tensor order), {@code name}, {@code layer} ({@code blk.N}, -1 outside
 * blocks), {@code shape} (GGUF order, {@code ne[0]} first), {@code type}, {@code chosen_type} (before
 * llama.cpp's row fallback), {@code decision}, {@code decided_by}, {@code elements}, {@code bytes},
 * {@code file} (the output file that holds it) and {@code offset} (absolute, in that file).
 */
public final class PlanParquet {
    public static final String FILE_NAME = "tensors.parquet";

    static final Schema SCHEMA = SchemaBuilder.record("PlannedTensor").namespace("io.quantsweep.plan").fields()
            .requiredString("model")
            .requiredString("variant")
            .requiredInt("file_type")
            .requiredInt("position")
            .requiredString("name")
            .requiredInt("layer")
            .name("shape").type().array().items().longType().noDefault()
            .requiredString("type")
            .requiredString("chosen_type")
            .requiredString("decision")
            .requiredString("decided_by")
            .requiredLong("elements")
            .requiredLong("bytes")
            .requiredString("file")
            .requiredLong("offset")
            .endRecord();

    private PlanParquet() {
    }

    /** Writes {@code dir/tensors.parquet} (the directory is created if needed); returns its path. */
    public static Path write(FileSystem fs, Path dir, ModelPlan plan) throws IOException {
        fs.mkdirs(dir);
        Path target = new Path(dir, FILE_NAME);
        List<GenericRecord> rows = new ArrayList<>();
        for (VariantPlan v : plan.variants()) {
            for (int i = 0; i < v.tensors().size(); i++) {
                rows.add(row(v, i));
            }
        }
        AtomicParquet.write(fs, target, SCHEMA, new Configuration(), rows);
        return target;
    }

    private static GenericRecord row(VariantPlan v, int position) {
        PlannedTensor t = v.tensors().get(position);
        List<Long> shape = new ArrayList<>();
        for (long d : t.ne()) {
            shape.add(d);
        }
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("model", v.model());
        r.put("variant", v.variant());
        r.put("file_type", v.fileType().id());
        r.put("position", position);
        r.put("name", t.name());
        r.put("layer", t.tensor().layer());
        r.put("shape", shape);
        r.put("type", t.type().name());
        r.put("chosen_type", t.chosen().name());
        r.put("decision", t.decision().name());
        r.put("decided_by", t.decidedBy());
        r.put("elements", t.elements());
        r.put("bytes", t.bytes());
        r.put("file", v.fileNames().get(t.shard()));
        r.put("offset", t.fileOffset());
        return r;
    }
}
