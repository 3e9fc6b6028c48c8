package io.quantsweep.quantize;

import org.apache.spark.sql.types.StructType;

/** The quantize job's table schemas and folders, for the tests of packages that read its output (the report). */
public final class QuantizeTableSchemas {
    private QuantizeTableSchemas() {
    }

    /** {@code _stats/tensors}: one row per variant and tensor. */
    public static StructType tensorStats() {
        return QuantizeTables.TENSOR_STATS_SCHEMA;
    }

    /** The folder of {@link #tensorStats()} under the job's output. */
    public static String tensorStatsFolder() {
        return QuantizeTables.STATS + "/tensors";
    }
}
