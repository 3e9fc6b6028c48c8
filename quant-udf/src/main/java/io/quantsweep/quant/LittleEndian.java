package io.quantsweep.quant;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Little-endian loads and stores in byte arrays, the byte order of ggml blocks and GGUF files. */
public final class LittleEndian {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {
    }

    public static short getShort(byte[] b, int off) {
        return (short) SHORT.get(b, off);
    }

    public static void putShort(byte[] b, int off, short v) {
        SHORT.set(b, off, v);
    }

    public static int getInt(byte[] b, int off) {
        return (int) INT.get(b, off);
    }

    public static void putInt(byte[] b, int off, int v) {
        INT.set(b, off, v);
    }

    public static float getFloat(byte[] b, int off) {
        return (float) FLOAT.get(b, off);
    }

    public static void putFloat(byte[] b, int off, float v) {
        FLOAT.set(b, off, v);
    }

    /** {@code n} floats from little-endian bytes at {@code off}. */
    public static float[] toFloats(byte[] b, int off, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = getFloat(b, off + 4 * i);
        }
        return out;
    }

    /** Little-endian bytes of {@code x}. */
    public static byte[] toBytes(float[] x) {
        byte[] out = new byte[4 * x.length];
        for (int i = 0; i < x.length; i++) {
            putFloat(out, 4 * i, x[i]);
        }
        return out;
    }
}
