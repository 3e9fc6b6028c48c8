package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;

/**
 * Q4_K and Q5_K ({@link ScaleMinK4Codec}) with the sub-block searches of a row run in Vector API lanes
 * ({@link KQuantsVector#makeQkx2Quants}): sub-block {@code s} of the row is lane {@code s % LANES} of group
 * {@code s / LANES}. The weights, the scale encoding and the refit are the scalar codec's own methods,
 * so the bytes are the scalar codec's bytes.
 */
final class ScaleMinK4VectorCodec implements Codec {
    private static final int QK = ScaleMinK4Codec.QK;
    private static final int SUB = ScaleMinK4Codec.SUB;
    private static final int N_SUB = ScaleMinK4Codec.N_SUB;
    private static final int LANES = KQuantsVector.LANES;

    private final ScaleMinK4Codec scalar;

    ScaleMinK4VectorCodec(ScaleMinK4Codec scalar) {
        this.scalar = scalar;
    }

    @Override
    public GgmlType type() {
        return scalar.type();
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        ScaleMinK4Codec.Params params = scalar.params();
        int nSub = n / SUB;
        float[] weights = new float[SUB];
        KQuantsVector.Lanes g = new KQuantsVector.Lanes(SUB);
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
                    ScaleMinK4Codec.refWeights(x, xs, weights);
                } else {
                    if (s % N_SUB == 0) {
                        sigma2 = ScaleMinK4Codec.importanceSigma2(x, xs);
                    }
                    sw[s] = KQuants.importanceWeights(importance, SUB * s, x, xs, SUB, sigma2, weights);
                }
                g.set(k, x, xs, weights, 0);
            }
            if (importance == null) {
                KQuantsVector.makeQkx2Quants(SUB, params.nmax(), g, params.refRmin(), 0.1f, params.refNstep(), false,
                        scales, mins, s0);
            } else {
                KQuantsVector.makeQkx2Quants(SUB, params.nmax(), g, -0.9f, 0.05f, 36, false, scales, mins, s0);
            }
            for (int k = 0; k < lanes; k++) {
                g.levelsTo(k, L, SUB * (s0 + k));
            }
        }
        byte[] ls = new byte[N_SUB];
        byte[] lm = new byte[N_SUB];
        int blockBytes = type().blockBytes();
        for (int b = 0; b < n / QK; b++) {
            int out = dstOff + b * blockBytes;
            if (importance == null) {
                ScaleMinK4Codec.encodeScalesRef(scales, mins, N_SUB * b, ls, lm, dst, out);
            } else {
                scalar.encodeScalesImpl(scales, mins, sw, N_SUB * b, ls, lm, dst, out);
            }
            scalar.requantizeAndPack(x, xOff + QK * b, L, QK * b, dst, out, KQuantsVector.REFIT);
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        scalar.dequantizeRow(src, srcOff, n, y, yOff);
    }
}
