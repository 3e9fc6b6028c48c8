package io.quantsweep.format.gguf;

import io.quantsweep.quant.LittleEndian;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One GGUF KV value: a scalar of one of the twelve scalar types, a string, or an array of one
 * non-array type (spec §1.2).
 *
 * <p>Integers of every width are held as a {@code long} together with their {@link GgufValueType};
 * UINT64 keeps its 64 bits as they are (read it with {@link Long#toUnsignedString}). Numeric arrays
 * keep their little-endian file bytes, so a 32,000-entry score table costs its file size and no
 * boxing.
 */
public sealed interface GgufValue extends Serializable
        permits GgufValue.Int, GgufValue.F32, GgufValue.F64, GgufValue.Bool, GgufValue.Str, GgufValue.Array {

    GgufValueType type();

    /** The integer value (UINT64 as raw bits); throws unless this is an integer scalar. */
    default long asLong() {
        throw new IllegalStateException("value is " + type() + ", not an integer");
    }

    /** The FLOAT32 or FLOAT64 value; throws for any other type. */
    default double asDouble() {
        throw new IllegalStateException("value is " + type() + ", not a float");
    }

    /** The BOOL value; throws for any other type. */
    default boolean asBool() {
        throw new IllegalStateException("value is " + type() + ", not a BOOL");
    }

    /** The STRING value; throws for any other type. */
    default String asString() {
        throw new IllegalStateException("value is " + type() + ", not a STRING");
    }

    static Int u8(int v) {
        return new Int(GgufValueType.UINT8, v);
    }

    static Int i8(int v) {
        return new Int(GgufValueType.INT8, v);
    }

    static Int u16(int v) {
        return new Int(GgufValueType.UINT16, v);
    }

    static Int i16(int v) {
        return new Int(GgufValueType.INT16, v);
    }

    static Int u32(long v) {
        return new Int(GgufValueType.UINT32, v);
    }

    static Int i32(int v) {
        return new Int(GgufValueType.INT32, v);
    }

    /** A UINT64 from its 64 bits ({@code -1L} is 2^64 − 1). */
    static Int u64(long bits) {
        return new Int(GgufValueType.UINT64, bits);
    }

    static Int i64(long v) {
        return new Int(GgufValueType.INT64, v);
    }

    static F32 f32(float v) {
        return new F32(v);
    }

    static F64 f64(double v) {
        return new F64(v);
    }

    static Bool bool(boolean v) {
        return new Bool(v);
    }

    static Str string(String v) {
        return new Str(v);
    }

    /** An array of an integer type; each value must be in that type's range (UINT64 takes any bits). */
    static NumArray intArray(GgufValueType elementType, long... values) {
        if (!elementType.isInteger()) {
            throw new IllegalArgumentException(elementType + " is not an integer type");
        }
        int size = elementType.size();
        byte[] raw = new byte[Math.multiplyExact(values.length, size)];
        for (int i = 0; i < values.length; i++) {
            Int.checkRange(elementType, values[i]);
            long v = values[i];
            for (int b = 0; b < size; b++) {
                raw[i * size + b] = (byte) (v >>> (8 * b));
            }
        }
        return new NumArray(elementType, raw);
    }

    static NumArray f32Array(float... values) {
        byte[] raw = new byte[Math.multiplyExact(values.length, 4)];
        for (int i = 0; i < values.length; i++) {
            LittleEndian.putFloat(raw, 4 * i, values[i]);
        }
        return new NumArray(GgufValueType.FLOAT32, raw);
    }

    static NumArray f64Array(double... values) {
        byte[] raw = new byte[Math.multiplyExact(values.length, 8)];
        for (int i = 0; i < values.length; i++) {
            long bits = Double.doubleToRawLongBits(values[i]);
            for (int b = 0; b < 8; b++) {
                raw[8 * i + b] = (byte) (bits >>> (8 * b));
            }
        }
        return new NumArray(GgufValueType.FLOAT64, raw);
    }

    static NumArray boolArray(boolean... values) {
        byte[] raw = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            raw[i] = (byte) (values[i] ? 1 : 0);
        }
        return new NumArray(GgufValueType.BOOL, raw);
    }

    static StrArray stringArray(List<String> values) {
        return new StrArray(values);
    }

    /** An integer scalar of any width; the compact constructor refuses values outside the type's range. */
    record Int(GgufValueType type, long value) implements GgufValue {
        public Int {
            Objects.requireNonNull(type, "type");
            if (!type.isInteger()) {
                throw new IllegalArgumentException(type + " is not an integer type");
            }
            checkRange(type, value);
        }

        static void checkRange(GgufValueType type, long v) {
            boolean ok = switch (type) {
                case UINT8 -> v >= 0 && v <= 0xFF;
                case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
                case UINT16 -> v >= 0 && v <= 0xFFFF;
                case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
                case UINT32 -> v >= 0 && v <= 0xFFFF_FFFFL;
                case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
                default -> true;
            };
            if (!ok) {
                throw new IllegalArgumentException(v + " is out of range for " + type);
            }
        }

        @Override
        public long asLong() {
            return value;
        }

        @Override
        public String toString() {
            return type == GgufValueType.UINT64 ? Long.toUnsignedString(value) : Long.toString(value);
        }
    }

    record F32(float value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.FLOAT32;
        }

        @Override
        public double asDouble() {
            return value;
        }

        @Override
        public String toString() {
            return Float.toString(value);
        }
    }

    record F64(double value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.FLOAT64;
        }

        @Override
        public double asDouble() {
            return value;
        }

        @Override
        public String toString() {
            return Double.toString(value);
        }
    }

    record Bool(boolean value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.BOOL;
        }

        @Override
        public boolean asBool() {
            return value;
        }

        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    record Str(String value) implements GgufValue {
        public Str {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.STRING;
        }

        @Override
        public String asString() {
            return value;
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** An array: all elements share one non-array element type. */
    sealed interface Array extends GgufValue permits NumArray, StrArray {
        GgufValueType elementType();

        int length();

        /** Element {@code i} as a scalar value. */
        GgufValue element(int i);

        @Override
        default GgufValueType type() {
            return GgufValueType.ARRAY;
        }
    }

    /** An array of strings. */
    record StrArray(List<String> values) implements Array {
        public StrArray {
            values = List.copyOf(values);
        }

        @Override
        public GgufValueType elementType() {
            return GgufValueType.STRING;
        }

        @Override
        public int length() {
            return values.size();
        }

        @Override
        public Str element(int i) {
            return new Str(values.get(i));
        }

        public String get(int i) {
            return values.get(i);
        }

        @Override
        public String toString() {
            return "STRING[" + values.size() + "]";
        }
    }

    /** An array of a fixed-size type, held as its little-endian file bytes. */
    final class NumArray implements Array {
        private final GgufValueType elementType;
        private final byte[] raw;

        /** Takes ownership of {@code raw}, whose length must be a multiple of the element size. */
        NumArray(GgufValueType elementType, byte[] raw) {
            if (!elementType.isFixedSize()) {
                throw new IllegalArgumentException(elementType + " is not a fixed-size type");
            }
            if (raw.length % elementType.size() != 0) {
                throw new IllegalArgumentException(
                        raw.length + " bytes is not a whole number of " + elementType + " elements");
            }
            this.elementType = elementType;
            this.raw = raw;
        }

        @Override
        public GgufValueType elementType() {
            return elementType;
        }

        @Override
        public int length() {
            return raw.length / elementType.size();
        }

        /** Bits of element {@code i}, sign-extended for signed types and zero-extended for unsigned ones. */
        private long bits(int i) {
            Objects.checkIndex(i, length());
            int size = elementType.size();
            long v = 0;
            for (int b = size - 1; b >= 0; b--) {
                v = (v << 8) | (raw[i * size + b] & 0xFF);
            }
            return switch (elementType) {
                case INT8 -> (byte) v;
                case INT16 -> (short) v;
                case INT32 -> (int) v;
                default -> v;
            };
        }

        /** Integer element {@code i} (UINT64 as raw bits). */
        public long getLong(int i) {
            requireElement(elementType.isInteger(), "an integer");
            return bits(i);
        }

        /** FLOAT32 or FLOAT64 element {@code i}. */
        public double getDouble(int i) {
            return switch (elementType) {
                case FLOAT32 -> Float.intBitsToFloat((int) bits(i));
                case FLOAT64 -> Double.longBitsToDouble(bits(i));
                default -> throw new IllegalStateException("elements are " + elementType + ", not floats");
            };
        }

        /** BOOL element {@code i}: any non-zero byte is true, as ggml reads it. */
        public boolean getBool(int i) {
            requireElement(elementType == GgufValueType.BOOL, "BOOL");
            return bits(i) != 0;
        }

        private void requireElement(boolean ok, String what) {
            if (!ok) {
                throw new IllegalStateException("elements are " + elementType + ", not " + what);
            }
        }

        @Override
        public GgufValue element(int i) {
            return switch (elementType) {
                case FLOAT32 -> new F32((float) getDouble(i));
                case FLOAT64 -> new F64(getDouble(i));
                case BOOL -> new Bool(getBool(i));
                default -> new Int(elementType, bits(i));
            };
        }

        /** The encoded bytes, shared: callers in this package must not modify them. */
        byte[] raw() {
            return raw;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NumArray a && a.elementType == elementType && Arrays.equals(a.raw, raw);
        }

        @Override
        public int hashCode() {
            return 31 * elementType.hashCode() + Arrays.hashCode(raw);
        }

        @Override
        public String toString() {
            return elementType + "[" + length() + "]";
        }
    }
}
