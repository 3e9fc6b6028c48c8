package io.quantsweep.format.safetensors;

import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Bf16;
import io.quantsweep.quant.numeric.Fp16;
import io.quantsweep.quant.numeric.Fp8BlockScaling;
import io.quantsweep.quant.numeric.Fp8E4M3;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * The element types of a safetensors header ({@code "dtype"}), spelled as on disk, with their size in
 * bytes and how their values are read: floating-point types convert to float32, integer types and BOOL
 * widen to {@code long}. Newer writers' {@code F8_E8M0} and packed {@code F4} are not supported.
 */
public enum SafetensorsDtype {
    BOOL(1, Kind.BOOL),
    U8(1, Kind.UNSIGNED),
    I8(1, Kind.SIGNED),
    I16(2, Kind.SIGNED),
    U16(2, Kind.UNSIGNED),
    F16(2, Kind.FLOAT),
    BF16(2, Kind.FLOAT),
    I32(4, Kind.SIGNED),
    U32(4, Kind.UNSIGNED),
    F32(4, Kind.FLOAT),
    F64(8, Kind.FLOAT),
    I64(8, Kind.SIGNED),
    U64(8, Kind.UNSIGNED),
    F8_E4M3(1, Kind.FLOAT),
    F8_E5M2(1, Kind.FLOAT);

    /** How the values of a dtype are read. */
    public enum Kind {
        FLOAT, SIGNED, UNSIGNED, BOOL
    }

    private final int byteSize;
    private final Kind kind;

    SafetensorsDtype(int byteSize, Kind kind) {
        this.byteSize = byteSize;
        this.kind = kind;
    }

    public int byteSize() {
        return byteSize;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isFloat() {
        return kind == Kind.FLOAT;
    }

    /** The dtype spelled {@code name} in a header, if this reader supports it. */
    public static Optional<SafetensorsDtype> fromName(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /**
     * Converts {@code n} little-endian values of this floating-point dtype to float32. BF16, F16 and both
     * FP8 formats convert exactly; F64 rounds to nearest even. FP8 E4M3 is decoded without any block
     * scale: scaled weights go through {@link Fp8BlockScaling}.
     *
     * @throws IllegalStateException for a dtype that is not floating point
     */
    public void toFloats(byte[] src, int srcOff, int n, float[] dst, int dstOff) {
        switch (this) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = LittleEndian.getFloat(src, srcOff + 4 * i);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = Fp16.toFloat(LittleEndian.getShort(src, srcOff + 2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = Bf16.toFloat(LittleEndian.getShort(src, srcOff + 2 * i));
                }
            }
            case F8_E4M3 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = Fp8E4M3.toFloat(src[srcOff + i]);
                }
            }
            case F8_E5M2 -> {
                // E5M2 is the top byte of binary16 (same exponent bias and special values).
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = Fp16.toFloat((short) ((src[srcOff + i] & 0xFF) << 8));
                }
            }
            case F64 -> {
                ByteBuffer b = ByteBuffer.wrap(src).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = (float) b.getDouble(srcOff + 8 * i);
                }
            }
            default -> throw new IllegalStateException(this + " is not a floating-point dtype");
        }
    }

    /**
     * Widens {@code n} little-endian values of this integer or BOOL dtype to {@code long}: signed types
     * sign-extend, U8/U16/U32 zero-extend, U64 keeps its 64 bits (read it with
     * {@link Long#toUnsignedString}), BOOL gives 0 for a zero byte and 1 otherwise.
     *
     * @throws IllegalStateException for a floating-point dtype
     */
    public void toLongs(byte[] src, int srcOff, int n, long[] dst, int dstOff) {
        if (isFloat()) {
            throw new IllegalStateException(this + " is not an integer dtype");
        }
        ByteBuffer b = ByteBuffer.wrap(src).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            int at = srcOff + byteSize * i;
            dst[dstOff + i] = switch (this) {
                case BOOL -> src[at] != 0 ? 1 : 0;
                case U8 -> src[at] & 0xFF;
                case I8 -> src[at];
                case I16 -> b.getShort(at);
                case U16 -> b.getShort(at) & 0xFFFF;
                case I32 -> b.getInt(at);
                case U32 -> b.getInt(at) & 0xFFFF_FFFFL;
                default -> b.getLong(at);
            };
        }
    }
}
