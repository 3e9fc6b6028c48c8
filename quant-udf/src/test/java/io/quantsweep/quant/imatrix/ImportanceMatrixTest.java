package io.quantsweep.quant.imatrix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.imatrix.ImportanceMatrix.Entry;
import io.quantsweep.quant.imatrix.ImportanceMatrixException.Reason;
import io.quantsweep.quant.imatrix.TensorImportance.Status;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImportanceMatrixTest {
    private static final String DOWN_EXPS = "blk.3.ffn_down_exps.weight";
    private static final String K_B = "blk.3.attn_k_b.weight";
    private static final String Q_A = "blk.3.attn_q_a.weight";

    /** 4 experts of 8 columns, expert 2 never routed to. */
    private static final float[] DOWN_COUNTS = {3, 5, 0, 2};

    private static float[] sums(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) (r.nextDouble() * 10);
        }
        return s;
    }

    private static ImportanceMatrix sample() {
        return ImportanceMatrix.of(List.of(
                Entry.fromSums(DOWN_EXPS, sums(32, 1), DOWN_COUNTS),
                Entry.fromSums(K_B, sums(12, 2), new float[] {7}),
                Entry.fromSums(Q_A, sums(8, 3), new float[] {4})));
    }

    @Test
    void valuesAreSumsOverCountsAndOneForAMatrixWithoutTokens() {
        Entry e = sample().entry(DOWN_EXPS).orElseThrow();
        float[] s = sums(32, 1);
        float[] v = e.values();
        for (int j = 0; j < 4; j++) {
            for (int i = 0; i < 8; i++) {
                float expected = j == 2 ? 1.0f : s[j * 8 + i] / DOWN_COUNTS[j];
                assertEquals(expected, v[j * 8 + i], "expert " + j + " column " + i);
            }
        }
        assertEquals(4, e.matrices());
        assertArrayEquals(new int[] {2}, e.unseen());
    }

    @Test
    void expertSlicesAreConsecutiveRangesOfTheEntry() {
        ImportanceMatrix m = sample();
        float[] all = m.entry(DOWN_EXPS).orElseThrow().values();
        TensorImportance t = m.forTensor(DOWN_EXPS, 8, 4);
        assertEquals(Status.WEIGHTED, t.status());
        for (int e = 0; e < 4; e++) {
            assertArrayEquals(Arrays.copyOfRange(all, e * 8, e * 8 + 8), t.slice(e), "expert " + e);
        }
        assertArrayEquals(new int[] {2}, t.unseenMatrices());
        assertThrows(IndexOutOfBoundsException.class, () -> t.slice(4));
    }

    @Test
    void aThreeDimensionalDenseEntryIsSlicedPerHead() {
        // attn_k_b: one count for the whole ne0*ne2 vector, one slice per head
        float[] s = sums(12, 2);
        TensorImportance t = sample().forTensor(K_B, 3, 4);
        assertEquals(1, t.matrices());
        for (int h = 0; h < 4; h++) {
            float[] expected = new float[3];
            for (int i = 0; i < 3; i++) {
                expected[i] = s[h * 3 + i] / 7;
            }
            assertArrayEquals(expected, t.slice(h), "head " + h);
        }
    }

    @Test
    void aTensorWithoutEntryHasNoWeights() {
        TensorImportance t = sample().forTensor("output.weight", 8, 1);
        assertEquals(Status.NO_ENTRY, t.status());
        assertFalse(t.hasWeights());
        assertNull(t.slice(0));
    }

    @Test
    void aSizeMismatchNamesTheTensorAndBothSizes() {
        var e = assertThrows(ImportanceMatrixException.class, () -> sample().forTensor(DOWN_EXPS, 8, 3));
        assertEquals(Reason.SIZE_MISMATCH, e.reason());
        assertEquals(DOWN_EXPS, e.name());
        assertTrue(e.getMessage().contains("32 values") && e.getMessage().contains("= 24"), e.getMessage());
    }

    @Test
    void tokenEmbdOfTheWrongSizeIsIgnored() {
        ImportanceMatrix m = ImportanceMatrix.of(List.of(Entry.fromSums(ImportanceMatrix.TOKEN_EMBD, sums(8, 4), new float[] {1})));
        TensorImportance t = m.forTensor(ImportanceMatrix.TOKEN_EMBD, 16, 1);
        assertEquals(Status.IGNORED_SIZE, t.status());
        assertNull(t.slice(0));
        assertEquals(Status.WEIGHTED, m.forTensor(ImportanceMatrix.TOKEN_EMBD, 8, 1).status());
    }

    @Test
    void refusesNonFiniteAndNegativeValuesNamingTheIndex() {
        var nan = assertThrows(ImportanceMatrixException.class,
                () -> new Entry("a", new float[] {1, Float.NaN}, 1, new int[0]));
        assertEquals(Reason.NON_FINITE_VALUE, nan.reason());
        assertTrue(nan.getMessage().contains("index 1"), nan.getMessage());
        // a finite sum over a tiny count overflows: llama-quantize's finiteness check would abort
        var inf = assertThrows(ImportanceMatrixException.class,
                () -> Entry.fromSums("b", new float[] {1, 3e30f}, new float[] {1e-20f}));
        assertEquals(Reason.NON_FINITE_VALUE, inf.reason());
        assertTrue(inf.getMessage().contains("'b'") && inf.getMessage().contains("index 1"), inf.getMessage());
        var neg = assertThrows(ImportanceMatrixException.class,
                () -> new Entry("c", new float[] {1, 2, -0.5f}, 1, new int[0]));
        assertEquals(Reason.NEGATIVE_VALUE, neg.reason());
    }

    @Test
    void refusesInconsistentEntries() {
        assertThrows(IllegalArgumentException.class, () -> new Entry("a", new float[6], 4, new int[0]));
        assertThrows(IllegalArgumentException.class, () -> new Entry("a", new float[] {1, 1, 2, 2}, 2, new int[] {1}),
                "an unseen matrix must hold unit weights");
        assertThrows(IllegalArgumentException.class, () -> new Entry("a", new float[] {1, 1, 1, 1}, 2, new int[] {1, 0}));
        assertThrows(IllegalArgumentException.class, () -> Entry.fromSums("a", new float[5], new float[2]));
        assertThrows(IllegalArgumentException.class, () -> ImportanceMatrix.of(List.of(
                Entry.fromSums("a", new float[2], new float[] {1}), Entry.fromSums("a", new float[2], new float[] {1}))));
    }

    @Test
    void survivesJavaSerialization() throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(sample());
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(sample(), in.readObject());
        }
    }

    /**
     * The slices feed the codecs: quantizing a stacked tensor expert by expert with slice e gives the
     * bytes of quantizing that expert's rows alone with its own vector (sums / count), a wrong slice
     * gives other bytes, an expert without tokens quantizes as with unit weights (not as without
     * weights), and Q8_0 ignores the weights.
     */
    @Test
    void slicesFeedTheCodecsPerExpert() {
        int experts = 3;
        int rows = 2;
        int ne0 = 256;
        SplittableRandom r = new SplittableRandom(42);
        float[] stacked = new float[experts * rows * ne0];
        for (int i = 0; i < stacked.length; i++) {
            stacked[i] = (float) r.nextGaussian();
        }
        float[] sums = sums(experts * ne0, 9);
        float[] counts = {4, 11, 0};
        ImportanceMatrix m = ImportanceMatrix.of(List.of(Entry.fromSums("blk.5.ffn_gate_exps.weight", sums, counts)));
        TensorImportance t = m.forTensor("blk.5.ffn_gate_exps.weight", ne0, experts);
        for (GgmlType type : List.of(GgmlType.Q4_K, GgmlType.Q3_K, GgmlType.Q4_0)) {
            for (int e = 0; e < experts; e++) {
                float[] expertRows = Arrays.copyOfRange(stacked, e * rows * ne0, (e + 1) * rows * ne0);
                byte[] viaSlice = Codecs.quantize(type, expertRows, ne0, t.slice(e));
                float[] own = new float[ne0];
                for (int i = 0; i < ne0; i++) {
                    own[i] = counts[e] > 0 ? sums[e * ne0 + i] / counts[e] : 1.0f;
                }
                for (int row = 0; row < rows; row++) {
                    byte[] alone = Codecs.quantize(type, Arrays.copyOfRange(expertRows, row * ne0, (row + 1) * ne0), ne0, own);
                    int rowBytes = (int) type.bytesFor(ne0);
                    assertArrayEquals(alone, Arrays.copyOfRange(viaSlice, row * rowBytes, (row + 1) * rowBytes),
                            type + " expert " + e + " row " + row);
                }
                byte[] wrongSlice = Codecs.quantize(type, expertRows, ne0, t.slice((e + 1) % experts));
                assertFalse(Arrays.equals(viaSlice, wrongSlice), type + " expert " + e + " must depend on its slice");
            }
            float[] unseenRows = Arrays.copyOfRange(stacked, 2 * rows * ne0, 3 * rows * ne0);
            float[] ones = new float[ne0];
            Arrays.fill(ones, 1.0f);
            assertArrayEquals(Codecs.quantize(type, unseenRows, ne0, ones), Codecs.quantize(type, unseenRows, ne0, t.slice(2)));
            assertNotEquals(Arrays.toString(Codecs.quantize(type, unseenRows, ne0, null)),
                    Arrays.toString(Codecs.quantize(type, unseenRows, ne0, t.slice(2))), type + ": unit weights are not the reference path");
        }
        float[] first = Arrays.copyOfRange(stacked, 0, rows * ne0);
        assertArrayEquals(Codecs.quantize(GgmlType.Q8_0, first, ne0, null), Codecs.quantize(GgmlType.Q8_0, first, ne0, t.slice(0)));
    }
}
