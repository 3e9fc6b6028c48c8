package io.quantsweep.quantize;

import io.quantsweep.quant.GgmlType;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs units inside a task: a unit whose record is there and whose needed parts check out against it
 * is skipped (a resumed run); any other unit is quantized ({@link UnitQuantizer}), its parts written
 * ({@link PartStore}) and then its record.
 *
 * <p>A part is needed for a variant unless the file it belongs to is already committed (a resumed run
 * after some files were assembled, whose parts HDFS concat may have consumed); a recomputed unit still
 * records every variant's checksum, so the record stays whole.
 */
public final class UnitRunner {

    /** What a unit came to: its record, whether an earlier run's parts were reused, and what it cost. */
    public record Result(UnitRecord record, boolean reused, long bytesRead, long peakBytes) implements Serializable {
    }

    private final PartStore store;
    private final UnitQuantizer quantizer;
    private final List<String> variants;
    private final String attempt;
    private final PartStore.WriteHook hook;

    /**
     * @param variants the run's variant names, in order
     * @param attempt names this task attempt in temporary files
     */
    public UnitRunner(PartStore store, UnitQuantizer quantizer, List<String> variants, String attempt, PartStore.WriteHook hook) {
        this.store = store;
        this.quantizer = quantizer;
        this.variants = List.copyOf(variants);
        this.attempt = attempt;
        this.hook = hook;
    }

    /**
     * Skips or runs {@code u}.
     *
     * @param needed per variant, whether the unit's part must exist afterwards
     */
    public Result run(WorkUnit u, boolean[] needed) throws IOException {
        Optional<UnitRecord> earlier = store.readRecord(u.index());
        if (earlier.isPresent() && earlier.get().describes(u, variants) && partsCheckOut(u, earlier.get(), needed)) {
            return new Result(earlier.get(), true, 0, 0);
        }
        PartStore.Checksum[] sums = new PartStore.Checksum[variants.size()];
        UnitQuantizer.Outcome outcome = quantizer.quantize(u, (type, data, length) -> {
            for (int v = 0; v < variants.size(); v++) {
                if (u.types().get(v) == type) {
                    long padding = u.padding().get(v);
                    sums[v] = needed[v]
                            ? store.writePart(v, u.index(), attempt, data, length, padding, hook)
                            : PartStore.checksum(data, length, padding);
                }
            }
        });
        List<UnitRecord.Part> parts = new ArrayList<>(variants.size());
        for (int v = 0; v < variants.size(); v++) {
            GgmlType type = u.types().get(v);
            parts.add(new UnitRecord.Part(variants.get(v), type, sums[v].bytes(), sums[v].crc32c(), outcome.stats().get(type)));
        }
        UnitRecord record = new UnitRecord(u.index(), u.tensor().name(), u.row0(), u.row1(), parts);
        store.writeRecord(record);
        return new Result(record, false, u.sourceBytes(), outcome.peakBytes());
    }

    private boolean partsCheckOut(WorkUnit u, UnitRecord r, boolean[] needed) throws IOException {
        for (int v = 0; v < variants.size(); v++) {
            UnitRecord.Part p = r.parts().get(v);
            if (needed[v] && !store.verifyPart(v, u.index(), new PartStore.Checksum(p.bytes(), p.crc32c()))) {
                return false;
            }
        }
        return true;
    }
}
