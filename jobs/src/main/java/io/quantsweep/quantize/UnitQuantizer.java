package io.quantsweep.quantize;

import io.quantsweep.arch.NonFiniteWeightException;
import io.quantsweep.arch.OutputTensor;
import io.quantsweep.arch.TensorRows;
import io.quantsweep.format.safetensors.SafetensorsCheckpoint;
import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.QualityStats;
import io.quantsweep.quant.numeric.Bf16;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Quantizes one {@link WorkUnit}: its rows are read and FP8-dequantized once ({@link TensorRows}),
 * rounded to the {@link SourcePrecision} once, then quantized once per distinct type its variants
 * give the tensor (variants that agree share the bytes), slice by slice with each slice's importance
 * vector. Rows are independent, so a unit's bytes are exactly the bytes of those rows in a
 * whole-tensor quantization.
 *
 * <p>Each type's bytes go to a {@link TypeSink} before the next type is quantized, and the
 * dequantized values are compared with the source row by row ({@link QualityStats}), so a quantizer
 * holds at most the largest unit's source floats, their rounded copy, one type's bytes and one row:
 * about three times the unit budget, whatever the tensor. Those arrays are kept from one unit to the
 * next (a task runs its units one after another), not allocated and zeroed again for each.
 */
public final class UnitQuantizer {

    /** Receives one type's bytes of the unit: {@code data[0..length)}. */
    @FunctionalInterface
    public interface TypeSink {
        void accept(GgmlType type, byte[] data, int length) throws IOException;
    }

    /** What a unit cost and how close each type came. */
    public record Outcome(Map<GgmlType, QualityStats> stats, long peakBytes) {
    }

    private final SafetensorsCheckpoint checkpoint;
    private final SourcePrecision precision;
    private final Function<GgmlType, Codec> codecs;
    /** Arrays kept from unit to unit, grown as needed. */
    private float[] source = new float[0];
    private float[] rounded = new float[0];
    private byte[] out = new byte[0];

    /**
     * @param codecs the codec that quantizes each type (CPU or GPU: the same bytes); dequantization for
     *     the statistics always uses the CPU codecs
     */
    public UnitQuantizer(SafetensorsCheckpoint checkpoint, SourcePrecision precision, Function<GgmlType, Codec> codecs) {
        this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
        this.precision = Objects.requireNonNull(precision, "precision");
        this.codecs = Objects.requireNonNull(codecs, "codecs");
    }

    /** Quantizes {@code u} into each of its distinct types, in variant order, handing each to {@code sink}. */
    public Outcome quantize(WorkUnit u, TypeSink sink) throws IOException {
        OutputTensor t = u.tensor();
        int cols = Math.toIntExact(t.rowLength());
        int rows = Math.toIntExact(u.rows());
        int n = Math.toIntExact(u.elements());
        if (source.length < n) {
            source = new float[n];
        }
        TensorRows.read(checkpoint, t, u.row0(), u.row1(), source, 0);
        float[] input = source;
        if (precision.rounds(t)) {
            if (rounded.length < n) {
                rounded = new float[n];
            }
            input = rounded;
            Bf16.round(source, 0, input, 0, n);
        }
        requireFinite(u, input, n, cols);
        long sliceRows = UnitSlicer.sliceRows(t);
        float[] dequantized = new float[cols];
        Map<GgmlType, QualityStats> stats = new LinkedHashMap<>();
        for (GgmlType type : new LinkedHashSet<>(u.types())) {
            int rowBytes = Math.toIntExact(type.bytesFor(cols));
            int length = Math.multiplyExact(rows, rowBytes);
            if (out.length < length) {
                out = new byte[length];
            }
            Codec codec = codecs.apply(type);
            for (long a = u.row0(); a < u.row1(); ) {
                int slice = Math.toIntExact(a / sliceRows);
                long b = Math.min(u.row1(), (slice + 1) * sliceRows);
                int at = (int) (a - u.row0());
                codec.quantizeRows(input, at * cols, (int) (b - a), cols, u.importance(slice), out, at * rowBytes);
                a = b;
            }
            stats.put(type, QualityStats.ofRows(type, out, 0, rows, cols, source, 0, dequantized));
            sink.accept(type, out, length);
        }
        long peak = 4L * source.length + (input == source ? 0 : 4L * rounded.length) + 4L * cols + out.length;
        return new Outcome(stats, peak);
    }

    /**
     * The codecs trust their input: a NaN or infinity in the checkpoint is refused here, at its row and
     * column, and so is a float beyond bfloat16's range, which the rounding to it turned into infinity
     * (one scan of {@code input}, which keeps the checkpoint's NaN and infinities).
     */
    private void requireFinite(WorkUnit u, float[] input, int n, int cols) {
        int i = Codecs.firstNonFinite(input, 0, n);
        if (i >= 0) {
            String rule = Float.isFinite(source[i])
                    ? "it rounds to infinity in bfloat16; quantize with --source-precision f32"
                    : NonFiniteWeightException.MUST_BE_FINITE;
            throw new NonFiniteWeightException(checkpoint, u.tensor(), u.row0() + i / cols, i % cols, source[i],
                    rule);
        }
    }
}
