package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;

/**
 * IQ4_NL (super-block = block of 32) and IQ4_XS (super-blocks of 256) with the scale searches of a row's
 * 32-blocks in Vector API lanes ({@link KQuantsVector#iq4Scales}), block {@code b} in lane {@code b % LANES},
 * and the level refit in lanes of consecutive values; weights, σ² and the super-block encoding are
 * {@link LegacyQuants}' own ({@code quantize_row_iq4_nl_impl}).
 */
final class Iq4VectorCodec implements Codec {
    private static final int LANES = KQuantsVector.LANES;

    private final Codec scalar;
    /** Values per super-block: 32 (IQ4_NL) or 256 (IQ4_XS). */
    private final int sb;

    Iq4VectorCodec(Codec scalar, int sb) {
        this.scalar = scalar;
        this.sb = sb;
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
        int blocks = cols / 32;
        KQuantsVector.Lanes g = new KQuantsVector.Lanes(32);
        float[] scales = new float[blocks + LANES];
        float[] sw = new float[LANES];
        byte[] levels = new byte[sb];
        int rowBytes = Math.toIntExact(type().bytesFor(cols));
        float sigma2 = 0f;
        for (int row = 0; row < rows; row++) {
            int x0 = xOff + row * cols;
            for (int b0 = 0; b0 < blocks; b0 += LANES) {
                int lanes = Math.min(LANES, blocks - b0);
                for (int k = 0; k < lanes; k++) {
                    int b = b0 + k;
                    if (importance == null) {
                        g.setSquareWeights(k, x, x0 + 32 * b);
                    } else {
                        if (32 * b % sb == 0) {
                            sigma2 = LegacyQuants.iq4Sigma2(KQuants.sumOfSquares(x, x0 + 32 * b, sb), sb);
                        }
                        g.set(k, x, x0 + 32 * b, importance, 32 * b);
                        g.sigma2[k] = sigma2;
                    }
                }
                if (importance != null) {
                    KQuantsVector.importanceWeights(32, g, sw, 0);
                }
                KQuantsVector.iq4Scales(g, scales, b0);
            }
            int out = dstOff + row * rowBytes;
            for (int s = 0; s < cols / sb; s++) {
                LegacyQuants.iq4Encode(sb, x, x0 + sb * s, scales, sb / 32 * s, levels, dst,
                        out + s * type().blockBytes(), KQuantsVector.REFIT);
            }
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        scalar.dequantizeRow(src, srcOff, n, y, yOff);
    }
}
