package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;

/**
 * Q4_0, Q4_1, Q5_0 and Q5_1 ({@link Legacy32Codec}) with the importance searches of a row's blocks in
 * Vector API lanes ({@link KQuantsVector#makeQxQuants} or {@link KQuantsVector#makeQkx2Quants}, which is
 * {@code make_qkx3_quants}), block {@code b} in lane {@code b % LANES}. The reference quantizers, a single
 * pass over each block, stay the scalar codec's.
 */
final class LegacyVectorCodec implements Codec {
    private static final int QK = 32;
    private static final int LANES = KQuantsVector.LANES;

    private final Legacy32Codec scalar;

    LegacyVectorCodec(Legacy32Codec scalar) {
        this.scalar = scalar;
    }

    @Override
    public GgmlType type() {
        return scalar.type();
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        quantizeRows(x, xOff, 1, n, importance, dst, dstOff);
    }

    @Override
    public void quantizeRows(float[] x, int xOff, int rows, int cols, float[] importance, byte[] dst, int dstOff) {
        if (importance == null) {
            scalar.quantizeRows(x, xOff, rows, cols, null, dst, dstOff);
            return;
        }
        int blocks = cols / QK;
        KQuantsVector.Lanes g = new KQuantsVector.Lanes(QK);
        float[] scales = new float[blocks + LANES];
        float[] mins = new float[blocks + LANES];
        float[] sw = new float[blocks + LANES];
        byte[] levels = new byte[cols];
        int rowBytes = Math.toIntExact(type().bytesFor(cols));
        for (int row = 0; row < rows; row++) {
            int x0 = xOff + row * cols;
            float sigma2 = KQuants.sumOfSquares(x, x0, cols) / cols;
            for (int b0 = 0; b0 < blocks; b0 += LANES) {
                int lanes = Math.min(LANES, blocks - b0);
                for (int k = 0; k < lanes; k++) {
                    g.set(k, x, x0 + QK * (b0 + k), importance, QK * (b0 + k));
                    g.sigma2[k] = sigma2;
                }
                KQuantsVector.importanceWeights(QK, g, sw, b0);
                if (scalar.withMin()) {
                    KQuantsVector.makeQkx2Quants(QK, scalar.nmax(), g, -0.9f, 0.05f, 36, false, scales, mins, b0);
                } else {
                    KQuantsVector.makeQxQuants(QK, scalar.nmax(), g, scales, b0);
                }
                for (int k = 0; k < lanes; k++) {
                    g.levelsTo(k, levels, QK * (b0 + k));
                }
            }
            int out = dstOff + row * rowBytes;
            for (int b = 0; b < blocks; b++) {
                scalar.storeBlock(scales[b], -mins[b], levels, QK * b, dst, out + b * type().blockBytes());
            }
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        scalar.dequantizeRow(src, srcOff, n, y, yOff);
    }
}
