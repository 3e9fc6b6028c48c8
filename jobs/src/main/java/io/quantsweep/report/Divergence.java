package io.quantsweep.report;

import io.quantsweep.report.Columns.Kld;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * How far each variant's next-token distributions are from the baseline's ({@code eval/kld}): the mean
 * top-K KL divergence and the top-1 agreement per variant and kld benchmark.
 *
 * @param rows by variant and benchmark
 */
public record Divergence(List<Row> rows) {

    /**
     * One variant on one kld benchmark.
     *
     * @param meanKl NaN when undefined
     * @param top1Agreement in [0, 1], NaN when undefined
     */
    public record Row(String variant, String benchmark, int topK, long positions, double meanKl, double top1Agreement) {
    }

    public Divergence {
        rows = rows.stream().sorted(Comparator.comparing(Row::variant).thenComparing(Row::benchmark)).toList();
    }

    /** Reads {@code eval/kld}, where {@code eval} is the sweep's output folder. */
    static Divergence read(FileSystem fs, Path eval) throws IOException {
        String name = Columns.Folders.KLD;
        ParquetTable table = ParquetTable.read(fs, new Path(eval, Columns.Folders.KLD_IN_EVAL), name, Kld.VARIANT, Kld.BENCHMARK, Kld.TOP_K,
                Kld.POSITIONS, Kld.MEAN_KL, Kld.TOP1_AGREEMENT);
        List<Row> rows = new ArrayList<>();
        for (ParquetTable.Row r : table.rows()) {
            rows.add(new Row(r.string(Kld.VARIANT), r.string(Kld.BENCHMARK), r.integer(Kld.TOP_K), r.longValue(Kld.POSITIONS),
                    r.optionalDouble(Kld.MEAN_KL), r.optionalDouble(Kld.TOP1_AGREEMENT)));
        }
        return new Divergence(rows);
    }
}
