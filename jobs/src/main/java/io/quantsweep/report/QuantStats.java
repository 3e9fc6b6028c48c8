package io.quantsweep.report;

import io.quantsweep.report.Columns.TensorStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What the quantize job measured, per variant: every tensor's type, size and relative RMSE
 * ({@code quant/_stats/tensors}), with the sums the report draws: bytes and bits per weight per
 * variant and per tensor kind, and the error per layer and kind.
 */
public final class QuantStats {

    /** One tensor of one variant. */
    public record Tensor(String variant, String name, int layer, String kind, String type, long elements, long bytes,
            double relativeRmse) {
    }

    /** Bytes and elements of one kind of tensor in one variant. */
    public record KindTotal(String kind, long bytes, long elements) {
        /** Bits per weight of this kind. */
        public double bitsPerWeight() {
            return bytes * 8.0 / elements;
        }
    }

    /** Variants by name, each with its tensors by layer and name: the figures do not depend on the row order. */
    private final Map<String, List<Tensor>> byVariant = new TreeMap<>();

    QuantStats(List<Tensor> tensors) {
        for (Tensor t : tensors) {
            byVariant.computeIfAbsent(t.variant(), k -> new ArrayList<>()).add(t);
        }
        byVariant.values().forEach(ts -> ts.sort(Comparator.comparingInt(Tensor::layer).thenComparing(Tensor::name)));
    }

    /** Reads {@code quant/_stats/tensors}, where {@code quant} is the quantize job's output folder. */
    static QuantStats read(FileSystem fs, Path quant) throws IOException {
        String name = Columns.Folders.TENSOR_STATS;
        Path path = new Path(quant, Columns.Folders.STATS_IN_QUANT);
        ParquetTable table = ParquetTable.read(fs, path, name, TensorStats.VARIANT, TensorStats.TENSOR,
                TensorStats.LAYER, TensorStats.KIND, TensorStats.TYPE, TensorStats.ELEMENTS, TensorStats.BYTES,
                TensorStats.RELATIVE_RMSE);
        if (table.rows().isEmpty()) {
            throw new ReportInputException(name + " (" + path + "): no rows");
        }
        List<Tensor> tensors = new ArrayList<>();
        for (ParquetTable.Row r : table.rows()) {
            Tensor t = new Tensor(r.string(TensorStats.VARIANT), r.string(TensorStats.TENSOR), r.integer(TensorStats.LAYER),
                    r.string(TensorStats.KIND), r.string(TensorStats.TYPE), r.longValue(TensorStats.ELEMENTS),
                    r.longValue(TensorStats.BYTES), r.dbl(TensorStats.RELATIVE_RMSE));
            if (t.elements() <= 0 || t.bytes() < 0 || !(t.relativeRmse() >= 0)) {
                throw new ReportInputException(name + " (" + r.file() + ") row " + r.index() + ": tensor '" + t.name()
                        + "' of " + t.variant() + " has " + t.elements() + " elements, " + t.bytes() + " bytes and relative RMSE "
                        + t.relativeRmse());
            }
            tensors.add(t);
        }
        return new QuantStats(tensors);
    }

    /** The variants, in name order. */
    public List<String> variants() {
        return List.copyOf(byVariant.keySet());
    }

    public List<Tensor> tensors(String variant) {
        List<Tensor> ts = byVariant.get(variant);
        if (ts == null) {
            throw new IllegalArgumentException("no tensor statistics for variant " + variant + "; variants: " + variants());
        }
        return ts;
    }

    /** Bytes of the variant's tensor data (the file less its header). */
    public long bytes(String variant) {
        return tensors(variant).stream().mapToLong(Tensor::bytes).sum();
    }

    public long elements(String variant) {
        return tensors(variant).stream().mapToLong(Tensor::elements).sum();
    }

    /** Bits per weight over all the variant's tensors. */
    public double bitsPerWeight(String variant) {
        return bytes(variant) * 8.0 / elements(variant);
    }

    /** The variant's totals per kind, kinds in name order. */
    public List<KindTotal> byKind(String variant) {
        Map<String, long[]> sums = new TreeMap<>();
        for (Tensor t : tensors(variant)) {
            long[] s = sums.computeIfAbsent(t.kind(), k -> new long[2]);
            s[0] += t.bytes();
            s[1] += t.elements();
        }
        List<KindTotal> out = new ArrayList<>();
        sums.forEach((k, s) -> out.add(new KindTotal(k, s[0], s[1])));
        return out;
    }

    /** Kinds with a non-zero error in some variant (what the heatmaps show), in name order. */
    public List<String> lossyKinds() {
        TreeSet<String> kinds = new TreeSet<>();
        byVariant.values().forEach(ts -> ts.stream().filter(t -> t.relativeRmse() > 0).forEach(t -> kinds.add(t.kind())));
        return List.copyOf(kinds);
    }

    /** The layers present, in order; -1 (tensors outside blocks) first. */
    public List<Integer> layers() {
        TreeSet<Integer> layers = new TreeSet<>();
        byVariant.values().forEach(ts -> ts.forEach(t -> layers.add(t.layer())));
        return List.copyOf(layers);
    }

    /**
     * The variant's tensors by layer and kind; where several tensors share a cell (not the case for
     * DeepSeek-V3) the one with the largest error stands for it.
     */
    public Map<Integer, Map<String, Tensor>> cells(String variant) {
        Map<Integer, Map<String, Tensor>> out = new HashMap<>();
        for (Tensor t : tensors(variant)) {
            out.computeIfAbsent(t.layer(), k -> new HashMap<>()).merge(t.kind(), t,
                    (a, b) -> a.relativeRmse() >= b.relativeRmse() ? a : b);
        }
        return out;
    }

    /** The smallest and largest non-zero relative RMSE over all variants (one colour scale for every heatmap). */
    public double[] errorRange() {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (List<Tensor> ts : byVariant.values()) {
            for (Tensor t : ts) {
                if (t.relativeRmse() > 0) {
                    lo = Math.min(lo, t.relativeRmse());
                    hi = Math.max(hi, t.relativeRmse());
                }
            }
        }
        return hi == 0 ? new double[] {Double.NaN, Double.NaN} : new double[] {lo, hi};
    }

    /** The variant's tensor with the largest relative RMSE. */
    public Tensor worst(String variant) {
        Tensor worst = null;
        for (Tensor t : tensors(variant)) {
            if (worst == null || t.relativeRmse() > worst.relativeRmse()) {
                worst = t;
            }
        }
        return worst;
    }
}
