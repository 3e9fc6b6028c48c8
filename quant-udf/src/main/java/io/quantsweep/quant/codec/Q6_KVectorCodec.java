package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;

/**
 * Q6_K ({@link Q6_KCodec}) with the sub-block searches of a row run in Vector API lanes
 * ({@link KQuantsVector#makeQxQuants}): sub-block {@code s} of the row is lane {@code s % LANES} of group
 * {@code s / LANES}. The scale encoding, refit and packing are the scalar codec's own method.
 */
final class Q6_KVectorCodec implements Codec {
    private static final int QK = Q6_KCodec.QK;
    private static final int SUB = Q6_KCodec.SUB;
    private static final int N_SUB = Q6_KCodec.N_SUB;
    private static final int LANES = KQuantsVector.LANES;

    private final Q6_KCodec scalar;

    Q6_KVectorCodec(Q6_KCodec scalar) {
        this.scalar = scalar;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        int nSub = n / SUB;
        KQuantsVector.Lanes g = new KQuantsVector.Lanes(SUB);
        float[] scales = new float[nSub + LANES];
        byte[] quants = new byte[n];
        for (int s0 = 0; s0 < nSub; s0 += LANES) {
            int lanes = Math.min(LANES, nSub - s0);
            for (int k = 0; k < lanes; k++) {
                int s = s0 + k;
                if (importance == null) {
                    g.setSquareWeights(k, x, xOff + SUB * s);
                } else {
                    g.set(k, x, xOff + SUB * s, importance, SUB * s);
                }
            }
            KQuantsVector.makeQxQuants(SUB, 32, g, scales, s0);
            for (int k = 0; k < lanes; k++) {
                g.levelsTo(k, quants, SUB * (s0 + k));
            }
        }
        for (int b = 0; b < n / QK; b++) {
            Q6_KCodec.encodeAndPack(x, xOff + QK * b, scales, N_SUB * b, quants, QK * b, dst,
                    dstOff + b * type().blockBytes(), KQuantsVector.REFIT);
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        scalar.dequantizeRow(src, srcOff, n, y, yOff);
    }
}
