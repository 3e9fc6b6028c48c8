package io.quantsweep.format.gguf;

import java.util.Optional;

/**
 * The GGUF KV value types ({@code enum gguf_type}), with their on-disk ids (never the ordinal) and
 * the encoded size of one scalar; STRING and ARRAY have variable size.
 */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, 0),
    ARRAY(9, 0),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = new GgufValueType[13];

    static {
        for (GgufValueType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int size;

    GgufValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    /** The on-disk id. */
    public int id() {
        return id;
    }

    /** Encoded bytes of one value; 0 for STRING and ARRAY, whose size depends on the value. */
    public int size() {
        return size;
    }

    /** True for the eight integer types. */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** True for the types stored as fixed-size numbers (integers, floats, BOOL). */
    public boolean isFixedSize() {
        return size > 0;
    }

    /** The type with on-disk id {@code id}, or empty for an unknown id. */
    public static Optional<GgufValueType> byId(int id) {
        return id >= 0 && id < BY_ID.length ? Optional.of(BY_ID[id]) : Optional.empty();
    }
}
