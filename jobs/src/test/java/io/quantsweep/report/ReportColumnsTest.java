package io.quantsweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.run.EvalJob;
import io.quantsweep.eval.run.SummaryRow;
import io.quantsweep.quantize.QuantizeTableSchemas;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Every folder and column the report reads is one the jobs write (the notebook's run on the fixtures checks its names). */
class ReportColumnsTest {

    @Test
    void foldersAreTheJobsFolders() {
        assertEquals(Columns.Folders.QUANT + "/" + QuantizeTableSchemas.tensorStatsFolder(), Columns.Folders.TENSOR_STATS);
        assertEquals(Columns.Folders.EVAL + "/" + EvalJob.SUMMARY, Columns.Folders.SUMMARY);
        assertEquals(Columns.Folders.EVAL + "/" + EvalJob.KLD, Columns.Folders.KLD);
    }

    @Test
    void columnsAreTheJobsColumns() throws IllegalAccessException {
        assertWritten(Columns.TensorStats.class, QuantizeTableSchemas.tensorStats());
        assertWritten(Columns.Summary.class, SummaryRow.SCHEMA);
        assertWritten(Columns.Kld.class, EvalJob.KLD_SCHEMA);
        assertEquals(SummaryRow.BENCHMARK, Columns.Summary.KIND_BENCHMARK);
    }

    /** Every constant of {@code names} (but the {@code KIND_} values) is a column of {@code schema}. */
    private static void assertWritten(Class<?> names, StructType schema) throws IllegalAccessException {
        Set<String> written = Set.of(schema.fieldNames());
        List<String> read = new ArrayList<>();
        for (Field f : names.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && !f.getName().startsWith("KIND_")) {
                read.add((String) f.get(null));
            }
        }
        assertTrue(read.size() >= 4, names + ": " + read);
        for (String c : read) {
            assertTrue(written.contains(c), names.getSimpleName() + " reads '" + c + "', which the job does not write: " + written);
        }
    }
}
