package io.quantsweep.quantize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.arch.JsonFile;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.QualityStats;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a finished unit left behind: for each variant (in run order) its part's type, size and CRC-32C,
 * and the quality of that type on the unit's rows. A task writes it after every part of the unit is
 * in place; its presence is what makes a unit committed, and a resumed run checks the parts against
 * it before it skips the unit.
 */
public record UnitRecord(int unit, String tensor, long row0, long row1, List<Part> parts) implements Serializable {

    /** One variant's part of the unit. */
    public record Part(String variant, GgmlType type, long bytes, long crc32c, QualityStats stats) implements Serializable {
        public Part {
            Objects.requireNonNull(variant, "variant");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(stats, "stats");
        }
    }

    public UnitRecord {
        Objects.requireNonNull(tensor, "tensor");
        parts = List.copyOf(parts);
    }

    /** Whether this record is the one {@code u} of a run with {@code variants} would write (same rows, types, sizes). */
    public boolean describes(WorkUnit u, List<String> variants) {
        if (unit != u.index() || !tensor.equals(u.tensor().name()) || row0 != u.row0() || row1 != u.row1()
                || parts.size() != variants.size()) {
            return false;
        }
        for (int v = 0; v < variants.size(); v++) {
            Part p = parts.get(v);
            if (!p.variant().equals(variants.get(v)) || p.type() != u.types().get(v) || p.bytes() != u.partBytes(v)) {
                return false;
            }
        }
        return true;
    }

    /** The record as JSON (doubles in Java's shortest round-trip form, so they read back exactly). */
    public byte[] toJson() {
        ObjectNode o = JsonFile.JSON.createObjectNode();
        o.put("unit", unit);
        o.put("tensor", tensor);
        o.put("row0", row0);
        o.put("row1", row1);
        ArrayNode a = o.putArray("parts");
        for (Part p : parts) {
            ObjectNode j = a.addObject();
            j.put("variant", p.variant());
            j.put("type", p.type().name());
            j.put("bytes", p.bytes());
            j.put("crc32c", p.crc32c());
            QualityStats s = p.stats();
            j.put("count", s.count());
            j.put("sumSqError", s.sumSqError());
            j.put("sumSqSource", s.sumSqSource());
            j.put("sumSqDequantized", s.sumSqDequantized());
            j.put("sumProduct", s.sumProduct());
            j.put("maxAbsError", s.maxAbsError());
        }
        try {
            return JsonFile.JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses a record written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException naming {@code source} when the bytes are not such a record
     */
    public static UnitRecord fromJson(String source, byte[] json) {
        try {
            JsonNode o = JsonFile.parse(source, json);
            List<Part> parts = new ArrayList<>();
            for (JsonNode j : required(o, "parts")) {
                QualityStats s = QualityStats.of(required(j, "count").longValue(), required(j, "sumSqError").doubleValue(),
                        required(j, "sumSqSource").doubleValue(), required(j, "sumSqDequantized").doubleValue(),
                        required(j, "sumProduct").doubleValue(), required(j, "maxAbsError").doubleValue());
                parts.add(new Part(required(j, "variant").textValue(), GgmlType.parse(required(j, "type").textValue()),
                        required(j, "bytes").longValue(), required(j, "crc32c").longValue(), s));
            }
            return new UnitRecord(required(o, "unit").intValue(), required(o, "tensor").textValue(),
                    required(o, "row0").longValue(), required(o, "row1").longValue(), parts);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(source + ": not a unit record: " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode o, String key) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("no '" + key + "'");
        }
        return v;
    }
}
