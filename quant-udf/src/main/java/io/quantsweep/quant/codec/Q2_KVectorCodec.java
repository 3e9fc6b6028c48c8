package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;

/**
 * Q2_K ({@link Q2_KCodec}) with the sub-block searches of a row run in Vector API lanes
 * ({@link KQuantsVector#makeQkx2Quants}): sub-block {@code s} of the row is lane {@code s % LANES} of group
 * {@code s / LANES}. The weights, the scale encoding and the refit are the scalar codec's own methods.
 */
final class Q2_KVectorCodec implements Codec {
    private static final int QK = Q2_KCodec.QK;
    private static final int SUB = Q2_KCodec.SUB;
    private static final int N_SUB = Q2_KCodec.N_SUB;
    private static final int LANES = KQuantsVector.LANES;

    private final Q2_KCodec scalar;

    Q2_KVectorCodec(Q2_KCodec scalar) {
        this.scalar = scalar;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        int nSub = n / SUB;
        KQuantsVector.Lanes g = new KQuantsVector.Lanes(SUB);
        float[] weights = new float[SUB];
        float[] scales = new float[nSub + LANES];
        float[] mins = new float[nSub + LANES];
        float[] sw = new float[nSub];
        byte[] L = new byte[n];
        float sigma2 = 0;
        for (int s0 = 0; s0 < nSub; s0 += LANES) {
            int lanes = Math.min(LANES, nSub - s0);
            for (int k = 0; k < lanes; k++) {
                int s = s0 + k;
                int xs = xOff + SUB * s;
                if (importance == null) {
                    Q2_KCodec.refWeights(x, xs, weights);
                } else {
                    if (s % N_SUB == 0) {
                        sigma2 = Q2_KCodec.importanceSigma2(x, xs);
                    }
                    sw[s] = KQuants.importanceWeights(importance, SUB * s, x, xs, SUB, sigma2, weights);
                }
                g.set(k, x, xs, weights, 0);
            }
            if (importance == null) {
                KQuantsVector.makeQkx2Quants(SUB, Q2_KCodec.NMAX, g, -0.5f, 0.1f, 15, true, scales, mins, s0);
            } else {
                KQuantsVector.makeQkx2Quants(SUB, Q2_KCodec.NMAX, g, -0.9f, 0.05f, 36, false, scales, mins, s0);
            }
            for (int k = 0; k < lanes; k++) {
                g.levelsTo(k, L, SUB * (s0 + k));
            }
        }
        byte[] ls = new byte[N_SUB];
        byte[] lm = new byte[N_SUB];
        for (int b = 0; b < n / QK; b++) {
            int out = dstOff + b * type().blockBytes();
            if (importance == null) {
                Q2_KCodec.encodeScalesRef(scales, mins, N_SUB * b, dst, out);
            } else {
                Q2_KCodec.encodeScalesImpl(scales, mins, sw, N_SUB * b, ls, lm, dst, out);
            }
            Q2_KCodec.requantizeAndPack(x, xOff + QK * b, L, QK * b, dst, out, KQuantsVector.REFIT);
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        scalar.dequantizeRow(src, srcOff, n, y, yOff);
    }
}
