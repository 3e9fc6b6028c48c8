package io.quantsweep.quantize;

import io.quantsweep.arch.OutputTensor;
import io.quantsweep.plan.PlannedTensor;
import io.quantsweep.plan.VariantPlan;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.QualityStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The quality figures of a run, from its unit records: one row per unit and variant, one per tensor
 * and variant (the tensor's units merged in unit order, so the figures do not depend on how the run
 * was partitioned or resumed), and a summary per variant. The job writes the rows as Parquet under
 * {@code _stats/} and prints {@link #table()}.
 */
public final class StatsReport {

    /** Where a tensor sits: its block ({@code -1} outside blocks), its kind ({@code ffn_down_exps}) and its experts or heads. */
    public record Position(int layer, String kind, Integer sliceFirst, Integer sliceLast) {
    }

    /** One tensor of one variant. */
    public record TensorRow(String variant, String tensor, Position position, GgmlType type, long elements, long bytes,
            int units, QualityStats stats) {
    }

    /** One unit of one variant. */
    public record UnitRow(String variant, int unit, String tensor, Position position, long row0, long row1, GgmlType type,
            long bytes, long crc32c, QualityStats stats) {
    }

    /** One variant: its files and figures over all its weights, and its worst tensors. */
    public record VariantRow(String variant, int files, long fileBytes, double bitsPerWeight, QualityStats overall,
            TensorRow lowestCosine, TensorRow highestRelativeRmse) {
    }

    private final List<TensorRow> tensors = new ArrayList<>();
    private final List<UnitRow> units = new ArrayList<>();
    private final List<VariantRow> variants = new ArrayList<>();

    /** @param records the record of every unit of {@code plan} */
    public StatsReport(QuantizePlan plan, Map<Integer, UnitRecord> records) {
        List<VariantPlan> vs = plan.variants();
        for (int v = 0; v < vs.size(); v++) {
            VariantPlan vp = vs.get(v);
            Map<String, QualityStats> byTensor = new HashMap<>();
            Map<String, Integer> unitCount = new HashMap<>();
            for (WorkUnit u : plan.units()) {
                UnitRecord.Part p = records.get(u.index()).parts().get(v);
                OutputTensor t = u.tensor();
                units.add(new UnitRow(vp.variant(), u.index(), t.name(), position(t, u.firstSlice(), u.lastSlice()), u.row0(),
                        u.row1(), p.type(), p.bytes(), p.crc32c(), p.stats()));
                byTensor.computeIfAbsent(t.name(), k -> new QualityStats()).merge(p.stats());
                unitCount.merge(t.name(), 1, Integer::sum);
            }
            QualityStats overall = new QualityStats();
            TensorRow lowestCosine = null;
            TensorRow highestRmse = null;
            for (PlannedTensor pt : vp.tensors()) {
                OutputTensor t = pt.tensor();
                QualityStats s = byTensor.get(t.name());
                long slices = t.ne().length >= 3 ? t.ne()[2] : 1;
                TensorRow row = new TensorRow(vp.variant(), t.name(), position(t, 0, (int) slices - 1), pt.type(), pt.elements(),
                        pt.bytes(), unitCount.get(t.name()), s);
                tensors.add(row);
                overall.merge(s);
                if (lowestCosine == null || s.cosine() < lowestCosine.stats().cosine()) {
                    lowestCosine = row;
                }
                if (highestRmse == null || s.relativeRmse() > highestRmse.stats().relativeRmse()) {
                    highestRmse = row;
                }
            }
            variants.add(new VariantRow(vp.variant(), vp.shards().size(), vp.fileBytes(), vp.bitsPerWeight(), overall,
                    lowestCosine, highestRmse));
        }
    }

    /** The position of a tensor, with slice numbers only for a 3-D one. */
    static Position position(OutputTensor t, int first, int last) {
        String kind = t.name();
        int layer = t.layer();
        if (layer >= 0) {
            kind = kind.substring(kind.indexOf('.', 4) + 1);
        }
        kind = kind.replaceFirst("\\.(weight|bias)$", "");
        boolean sliced = t.ne().length >= 3;
        return new Position(layer, kind, sliced ? first : null, sliced ? last : null);
    }

    public List<TensorRow> tensors() {
        return tensors;
    }

    public List<UnitRow> units() {
        return units;
    }

    public List<VariantRow> variants() {
        return variants;
    }

    /** The per-variant summary as a text table. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-16s %5s %14s %6s %11s %11s %10s  %s%n", "variant", "files", "bytes", "bpw",
                "rel. RMSE", "max |err|", "min cos", "worst tensor (rel. RMSE)"));
        for (VariantRow v : variants) {
            b.append(String.format(Locale.ROOT, "%-16s %5d %14d %6.3f %11.3e %11.3e %10.6f  %s (%.3e)%n", v.variant(), v.files(),
                    v.fileBytes(), v.bitsPerWeight(), v.overall().relativeRmse(), v.overall().maxAbsError(),
                    v.lowestCosine().stats().cosine(), v.highestRelativeRmse().tensor(),
                    v.highestRelativeRmse().stats().relativeRmse()));
        }
        return b.toString();
    }
}
