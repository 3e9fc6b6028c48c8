package io.quantsweep.arch;

import io.quantsweep.format.safetensors.SafetensorsCheckpoint;
import java.io.IOException;
import java.util.Objects;

/**
 * Reads rows of an {@link OutputTensor} as float32 from a checkpoint, slice by slice: FP8 weights
 * dequantized with their block scales, BF16 and F16 widened exactly, transposed slices transposed.
 * A read touches only the checkpoint rows the requested output rows come from, so a stacked expert
 * tensor is never materialised whole; a transposed slice is read whole (for DeepSeek-V3 one head of
 * {@code kv_b_proj}, 128 × 512 values) each time any of its output rows is requested.
 */
public final class TensorRows {
    private TensorRows() {
    }

    /** Output rows {@code [r0, r1)} of {@code t}: {@code (r1 - r0) * ne[0]} floats, row-major. */
    public static float[] read(SafetensorsCheckpoint checkpoint, OutputTensor t, long r0, long r1) throws IOException {
        long n = Math.multiplyExact(r1 - r0, t.rowLength());
        if (r0 < 0 || r1 < r0 || r1 > t.rowCount() || n > Integer.MAX_VALUE - 8) {
            throw new IndexOutOfBoundsException("rows [" + r0 + ", " + r1 + ") of tensor '" + t.name() + "' with "
                    + t.rowCount() + " rows of " + t.rowLength() + " (at most one array per read)");
        }
        float[] dst = new float[(int) n];
        read(checkpoint, t, r0, r1, dst, 0);
        return dst;
    }

    /** Output rows {@code [r0, r1)} of {@code t} into {@code dst} from {@code dstOff}. */
    public static void read(SafetensorsCheckpoint checkpoint, OutputTensor t, long r0, long r1, float[] dst, int dstOff)
            throws IOException {
        if (r0 < 0 || r1 < r0 || r1 > t.rowCount()) {
            throw new IndexOutOfBoundsException("rows [" + r0 + ", " + r1 + ") of tensor '" + t.name() + "' with "
                    + t.rowCount() + " rows");
        }
        Objects.checkFromIndexSize(dstOff, Math.toIntExact((r1 - r0) * t.rowLength()), dst.length);
        long base = 0;
        for (SourceSlice s : t.sources()) {
            long end = base + s.outputRows();
            long from = Math.max(r0, base);
            long to = Math.min(r1, end);
            if (from < to) {
                int at = dstOff + (int) ((from - r0) * t.rowLength());
                if (s.transposed()) {
                    readTransposed(checkpoint, s, from - base, to - base, dst, at);
                } else {
                    checkpoint.readFloatRows(s.tensor(), s.row0() + from - base, s.row0() + to - base, dst, at);
                }
            }
            if (end >= r1) {
                break;
            }
            base = end;
        }
    }

    /** Output rows {@code [a, b)} of a transposed slice: columns {@code [a, b)} of its source rows. */
    private static void readTransposed(SafetensorsCheckpoint checkpoint, SourceSlice s, long a, long b, float[] dst, int at)
            throws IOException {
        float[] block = checkpoint.readFloatRows(s.tensor(), s.row0(), s.row0() + s.rowCount());
        int rows = (int) s.rowCount();
        int cols = (int) s.cols();
        int o = at;
        for (int j = (int) a; j < b; j++) {
            for (int i = 0; i < rows; i++) {
                dst[o++] = block[i * cols + j];
            }
        }
    }
}
