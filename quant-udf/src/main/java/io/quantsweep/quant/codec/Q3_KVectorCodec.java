package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;

/**
 * Q3_K ({@link Q3_KCodec}) with the sub-block searches of a row run in Vector API lanes
 * ({@link KQuantsVector#makeQ3Quants} without importance, {@link KQuantsVector#makeQxQuants} with it):
 * sub-block {@code s} of the row is lane {@code s % LANES} of group {@code s / LANES}. The weights, the scale
 * encoding and the refit are the scalar codec's own methods.
 */
final class Q3_KVectorCodec implements Codec {
    private static final int QK = Q3_KCodec.QK;
    private static final int SUB = Q3_KCodec.SUB;
    private static final int N_SUB = Q3_KCodec.N_SUB;
    private static final int LANES = KQuantsVector.LANES;
    /** Lane groups whose make_q3_quants descents run interleaved (see {@link KQuantsVector#makeQ3Quants}). */
    private static final int Q3_GROUPS = 4;

    private final Q3_KCodec scalar;

    Q3_KVectorCodec(Q3_KCodec scalar) {
        this.scalar = scalar;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        int nSub = n / SUB;
        KQuantsVector.Lanes[] groups = new KQuantsVector.Lanes[importance == null ? Q3_GROUPS : 1];
        for (int j = 0; j < groups.length; j++) {
            groups[j] = new KQuantsVector.Lanes(SUB);
        }
        int batch = groups.length * LANES;
        float[] weights = new float[SUB];
        float[] scales = new float[nSub + batch];
        float[] sw = new float[nSub];
        byte[] quants = new byte[n];
        float sigma2 = 0;
        for (int s0 = 0; s0 < nSub; s0 += batch) {
            int count = Math.min(groups.length, (nSub - s0 + LANES - 1) / LANES);
            for (int s = s0; s < Math.min(nSub, s0 + batch); s++) {
                int xs = xOff + SUB * s;
                if (importance != null) {
                    if (s % N_SUB == 0) {
                        sigma2 = Q3_KCodec.importanceSigma2(x, xs);
                    }
                    sw[s] = KQuants.importanceWeights(importance, SUB * s, x, xs, SUB, sigma2, weights);
                }
                groups[(s - s0) / LANES].set((s - s0) % LANES, x, xs, weights, 0);
            }
            if (importance == null) {
                KQuantsVector.makeQ3Quants(SUB, 4, groups, count, scales, s0);
            } else {
                KQuantsVector.makeQxQuants(SUB, 4, groups[0], scales, s0);
            }
            for (int s = s0; s < Math.min(nSub, s0 + batch); s++) {
                groups[(s - s0) / LANES].levelsTo((s - s0) % LANES, quants, SUB * s);
            }
        }
        byte[] scaleQuants = new byte[N_SUB];
        for (int b = 0; b < n / QK; b++) {
            int out = dstOff + b * type().blockBytes();
            if (importance == null) {
                Q3_KCodec.encodeScalesRef(scales, N_SUB * b, dst, out);
            } else {
                Q3_KCodec.encodeScalesImpl(scales, sw, N_SUB * b, scaleQuants, dst, out);
            }
            Q3_KCodec.requantizeAndPack(x, xOff + QK * b, quants, QK * b, dst, out, KQuantsVector.REFIT);
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        scalar.dequantizeRow(src, srcOff, n, y, yOff);
    }
}
