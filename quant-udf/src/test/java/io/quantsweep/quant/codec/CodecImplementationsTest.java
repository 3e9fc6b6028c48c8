package io.quantsweep.quant.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every implementation of a type writes the scalar codec's bytes: seeded rows of many shapes (flat,
 * spiky, tiny, huge, exact rounding ties, sub-blocks of very different scale), with and without
 * importance, over row lengths that leave partial lane groups. The golden vectors pin the scalar codecs
 * to ggml; this pins the others to the scalar codecs on inputs the golden files do not cover.
 */
class CodecImplementationsTest {
    private static final List<GgmlType> VECTOR_TYPES = List.of(GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K,
            GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS);

    /** A named row generator: value of column {@code c}. */
    record Shape(String name, IntToDoubleFunction value) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<GgmlType> vectorTypes() {
        return VECTOR_TYPES.stream();
    }

    @Test
    void theTestJvmRunsTheVectorCodecs() {
        // surefire passes --add-modules jdk.incubator.vector; without it the Vector API codecs go untested
        assertEquals(java.util.Optional.empty(), CodecImplementations.vectorSkipped());
        for (GgmlType type : VECTOR_TYPES) {
            List<Codec> all = Codecs.implementations(type);
            assertEquals(2, all.size(), type + ": " + all);
            assertTrue(all.get(1).getClass().getSimpleName().equals(type + "Codec")
                    || all.get(1) instanceof ScaleMinK4Codec, type + " ends with its scalar codec: " + all);
            assertEquals(all.get(0), Codecs.of(type), type + " prefers the vector codec");
        }
        assertEquals(1, Codecs.implementations(GgmlType.F32).size());
    }

    @Test
    void namesWhyTheVectorCodecsAreSkipped() {
        assertTrue(CodecImplementations.vectorSkipReason(true, true).contains("quantsweep.codec.scalar"));
        assertTrue(CodecImplementations.vectorSkipReason(false, false).contains("--add-modules jdk.incubator.vector"));
        assertNull(CodecImplementations.vectorSkipReason(false, true));
    }

    @Test
    void laneRefitPicksTheScalarNonLinearLevelOnTiesEdgesAndNonFiniteValues() {
        List<Float> values = new ArrayList<>();
        byte[] k = KQuants.KVALUES_IQ4NL;
        for (int i = 0; i < k.length; i++) {
            float level = k[i];
            values.addAll(List.of(level, Math.nextUp(level), Math.nextDown(level), -level));
            if (i + 1 < k.length) {
                float mid = (k[i] + k[i + 1]) / 2f;
                values.addAll(List.of(mid, Math.nextUp(mid), Math.nextDown(mid)));
            }
        }
        values.addAll(List.of(0f, -0f, 1e9f, -1e9f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN));
        int n = (values.size() + 63) / 64 * 64;
        float[] x = new float[n];
        for (int i = 0; i < values.size(); i++) {
            x[i] = values.get(i);
        }
        byte[] expected = new byte[n];
        byte[] actual = new byte[n];
        Refit.SCALAR.nonLinear(n, x, 0, 1f, expected, 0);
        KQuantsVector.REFIT.nonLinear(n, x, 0, 1f, actual, 0);
        assertArrayEquals(expected, actual);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectorTypes")
    void everyImplementationWritesTheScalarBytes(GgmlType type) {
        List<Codec> all = Codecs.implementations(type);
        Codec scalar = all.get(all.size() - 1);
        int[] lengths = switch (type.blockSize()) {
            case 256 -> new int[] {256, 768, 2304};
            case 32 -> new int[] {32, 96, 2304};
            default -> new int[] {7, 45, 2304};
        };
        SplittableRandom rnd = new SplittableRandom(2024);
        int compared = 0;
        for (int cols : lengths) {
            List<float[]> rows = new ArrayList<>();
            for (Shape shape : shapes(cols, rnd)) {
                float[] row = new float[cols];
                for (int c = 0; c < cols; c++) {
                    row[c] = (float) shape.value().applyAsDouble(c);
                }
                rows.add(row);
            }
            float[] slab = new float[rows.size() * cols];
            for (int r = 0; r < rows.size(); r++) {
                System.arraycopy(rows.get(r), 0, slab, r * cols, cols);
            }
            for (float[] importance : importances(cols, rnd)) {
                byte[] expected = quantize(scalar, slab, rows.size(), cols, importance);
                for (Codec codec : all.subList(0, all.size() - 1)) {
                    byte[] actual = quantize(codec, slab, rows.size(), cols, importance);
                    int at = Arrays.mismatch(expected, actual);
                    if (at >= 0) {
                        long rowBytes = type.bytesFor(cols);
                        fail("%s by %s, %d columns, importance %s: first differing byte %d, row %s (block %d)"
                                .formatted(type, codec.getClass().getSimpleName(), cols,
                                        importance == null ? "none" : "given", at,
                                        shapes(cols, new SplittableRandom(0)).get((int) (at / rowBytes)),
                                        at % rowBytes / type.blockBytes()));
                    }
                    compared++;
                }
            }
        }
        assertEquals(lengths.length * 4, compared);
    }

    private static byte[] quantize(Codec codec, float[] slab, int rows, int cols, float[] importance) {
        byte[] out = new byte[Math.toIntExact(rows * codec.type().bytesFor(cols))];
        codec.quantizeRows(slab, 0, rows, cols, importance, out, 0);
        return out;
    }

    /** The row shapes; the order is fixed so a row index names its shape. */
    private static List<Shape> shapes(int cols, SplittableRandom rnd) {
        double[] gauss = new double[cols];
        for (int c = 0; c < cols; c++) {
            gauss[c] = rnd.nextGaussian();
        }
        int spike = rnd.nextInt(cols);
        return List.of(
                new Shape("gaussian", c -> 0.02 * gauss[c]),
                new Shape("gaussian 1e3", c -> 1e3 * gauss[c]),
                new Shape("heavy tails", c -> Math.pow(gauss[c], 5)),
                new Shape("uniform", c -> rnd.nextDouble(-1, 1)),
                new Shape("zeros", c -> 0),
                new Shape("negative zeros", c -> -0.0),
                new Shape("constant", c -> 0.375),
                new Shape("negative constant", c -> -1.25),
                new Shape("spike in zeros", c -> c == spike ? 3.5 : 0),
                new Shape("negative spike in noise", c -> c == spike ? -40 : 1e-3 * gauss[c]),
                new Shape("spike per block", c -> c % 32 == 7 ? 100 : 0.01 * gauss[c]),
                new Shape("all positive", c -> 1 + Math.abs(gauss[c])),
                new Shape("all negative", c -> -1e-2 - Math.abs(gauss[c])),
                new Shape("alternating", c -> (c % 2 == 0 ? 1 : -1) * (1 + 0.001 * c)),
                new Shape("tiny", c -> 1e-20 * gauss[c]),
                new Shape("below GROUP_MAX_EPS", c -> 1e-16 * gauss[c]),
                new Shape("subnormal", c -> Float.MIN_VALUE * (c % 7)),
                new Shape("huge", c -> 1e30 * gauss[c]),
                new Shape("sub-blocks of unequal scale", c -> Math.pow(10, (c / 16) % 9 - 4) * gauss[c]),
                new Shape("every other sub-block zero", c -> (c / 16) % 2 == 0 ? 0 : gauss[c]),
                new Shape("rounding ties", c -> c % 32 == 0 ? 127 : ((c % 255) - 127) / 2.0),
                new Shape("few levels", c -> Math.floor(gauss[c] * 2) / 4),
                new Shape("half-precision range",
                        c -> (c % 2 == 0 ? 1 : -1) * Math.scalb(1 + (c % 7) / 8.0, c % 46 - 27)),
                new Shape("bfloat16 ties", c -> Float.intBitsToFloat(0x3F808000 + ((c % 64) << 16))),
                new Shape("non-negative, zeros of both signs", c -> signedZeroOr(c, Math.abs(gauss[c]))),
                new Shape("non-positive, zeros of both signs", c -> signedZeroOr(c, -Math.abs(gauss[c]))));
    }

    /** Columns 4k and 4k+1 are zeros, −0 first in odd 32-blocks, +0 first in even ones; the others {@code v}. */
    private static double signedZeroOr(int c, double v) {
        if (c % 4 > 1) {
            return v;
        }
        return (c % 4 == 0) == ((c / 32) % 2 == 1) ? -0.0 : 0.0;
    }

    /** No importance, seeded weights, and weights with zero stretches (whole sub-blocks weightless). */
    private static List<float[]> importances(int cols, SplittableRandom rnd) {
        float[] weights = new float[cols];
        float[] gaps = new float[cols];
        float[] spiky = new float[cols];
        for (int c = 0; c < cols; c++) {
            weights[c] = (float) Math.exp(1.5 * rnd.nextGaussian());
            gaps[c] = (c / 16) % 3 == 1 ? 0 : (float) rnd.nextDouble(0.5, 2.5);
            spiky[c] = c % 37 == 0 ? 1e6f : 1e-3f;
        }
        List<float[]> all = new ArrayList<>();
        all.add(null);
        all.add(weights);
        all.add(gaps);
        all.add(spiky);
        return all;
    }
}
