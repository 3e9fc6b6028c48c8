package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;

/**
 * The frame of the Vector API K-quant codecs: a row's sub-block searches run in lanes, sub-block {@code s}
 * in lane {@code s % LANES} of group {@code s / LANES}, a batch of groups at a time; then each super-block
 * is finished by the scalar codec's own scale-encoding and refit methods. The subclasses say how a lane is
 * filled, which search runs, and how a super-block is finished. Scratch is allocated once per
 * {@link #quantizeRows} call.
 */
abstract class SubBlockVectorCodec implements Codec {
    static final int QK = 256;
    static final int LANES = KQuantsVector.LANES;

    private final LevelCodec scalar;
    /** Values per sub-block. */
    final int sub;
    final int subPerBlock;

    SubBlockVectorCodec(LevelCodec scalar, int sub) {
        this.scalar = scalar;
        this.sub = sub;
        this.subPerBlock = QK / sub;
    }

    /** A row's scratch: lane groups and the per-sub-block results of their searches. */
    static final class Scratch {
        final KQuantsVector.Lanes[] groups;
        final float[] scales;
        final float[] mins;
        /** The sum of each sub-block's weights (importance paths). */
        final float[] sw;
        /** Σx² of each super-block of the row (importance paths). */
        final float[] blockSumX2;
        /** The searches' levels, lane-major per group of {@link #LANES} sub-blocks; {@link #refit} reads them. */
        final int[] laneLevels;
        /** The levels of a super-block being finished, row order. */
        final byte[] levels;
        final KQuantsVector.LaneRefit refit;
        final byte[] ls;
        final byte[] lm;
        /** Lanes over super-blocks, for searches over a super-block's sub-block scales. */
        final KQuantsVector.Lanes blockLanes;
        final float[] blockScales;
        final byte[] blockLevels;

        Scratch(int n, int sub, int groupCount) {
            groups = new KQuantsVector.Lanes[groupCount];
            for (int j = 0; j < groupCount; j++) {
                groups[j] = new KQuantsVector.Lanes(sub);
            }
            int nSub = n / sub;
            scales = new float[nSub + groupCount * LANES];
            mins = new float[nSub + groupCount * LANES];
            sw = new float[nSub + groupCount * LANES];
            blockSumX2 = new float[n / QK];
            laneLevels = new int[(nSub + LANES - 1) / LANES * LANES * sub];
            for (KQuantsVector.Lanes g : groups) {
                g.levels = laneLevels;
            }
            levels = new byte[n];
            refit = new KQuantsVector.LaneRefit(laneLevels, sub);
            ls = new byte[QK / sub];
            lm = new byte[QK / sub];
            blockLanes = new KQuantsVector.Lanes(QK / sub);
            blockScales = new float[n / QK + LANES];
            blockLevels = new byte[n / sub];
        }
    }

    /** Lane groups searched together; more than one where a search is bound by latency rather than throughput. */
    int groupsPerBatch(boolean importance) {
        return 1;
    }

    /** Fills lane {@code k} of {@code g} with sub-block {@code s} of the row at {@code x[xOff..)}. */
    abstract void fillLane(KQuantsVector.Lanes g, int k, float[] x, int xOff, int s, float[] importance, Scratch r);

    /** A type's σ² of the importance weights, from its super-block's Σx² (ggml's {@code sigma2}). */
    @FunctionalInterface
    interface Sigma2 {
        float of(float sumX2);
    }

    /**
     * {@link #fillLane} for the types whose searches take the values alone without importance, and with it
     * the weights and the super-block's {@code sigma2}.
     */
    final void fillValuesOrWeights(KQuantsVector.Lanes g, int k, float[] x, int xOff, int s, float[] importance,
                                   Scratch r, Sigma2 sigma2) {
        if (importance == null) {
            g.setValues(k, x, xOff + sub * s);
        } else {
            g.set(k, x, xOff + sub * s, importance, sub * s);
            g.sigma2[k] = sigma2.of(r.blockSumX2[s / subPerBlock]);
        }
    }

    /** Searches {@code count} filled groups; sub-block {@code s0 + i}'s scale (and min) go to index {@code s0 + i}. */
    abstract void search(KQuantsVector.Lanes[] groups, int count, float[] importance, Scratch r, int s0);

    /** Work on all the row's super-blocks at once, between the searches and {@link #finishBlock}; none by default. */
    void acrossBlocks(int nBlocks, float[] importance, Scratch r) {
    }

    /** Encodes super-block {@code b} (values at {@code x[xb..)}) from the search results into {@code dst[out..)}. */
    abstract void finishBlock(float[] x, int xb, int b, float[] importance, Scratch r, byte[] dst, int out);

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
        Scratch r = new Scratch(cols, sub, groupsPerBatch(importance != null));
        int rowBytes = Math.toIntExact(type().bytesFor(cols));
        for (int row = 0; row < rows; row++) {
            quantizeRow(x, xOff + row * cols, cols, importance, dst, dstOff + row * rowBytes, r);
        }
    }

    private void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff, Scratch r) {
        int nSub = n / sub;
        int batch = r.groups.length * LANES;
        if (importance != null) {
            sumsOfSquares(x, xOff, n / QK, r.blockSumX2);
        }
        for (int s0 = 0; s0 < nSub; s0 += batch) {
            int end = Math.min(nSub, s0 + batch);
            int count = (end - s0 + LANES - 1) / LANES;
            for (int j = 0; j < count; j++) {
                r.groups[j].levelsOff = (s0 + j * LANES) * sub;
            }
            for (int s = s0; s < end; s++) {
                fillLane(r.groups[(s - s0) / LANES], (s - s0) % LANES, x, xOff, s, importance, r);
            }
            search(r.groups, count, importance, r, s0);
        }
        acrossBlocks(n / QK, importance, r);
        int blockBytes = type().blockBytes();
        for (int b = 0; b < n / QK; b++) {
            finishBlock(x, xOff + QK * b, b, importance, r, dst, dstOff + b * blockBytes);
        }
    }

    /**
     * {@code out[b] = KQuants.sumOfSquares(x, xOff + 256·b, 256)} for {@code b < blocks}, four super-blocks
     * at a time: each sum still adds its squares in index order, but four independent sums keep the
     * adder busy where one would wait on each addition.
     */
    static void sumsOfSquares(float[] x, int xOff, int blocks, float[] out) {
        int b = 0;
        for (; b + 4 <= blocks; b += 4) {
            int x0 = xOff + QK * b;
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            for (int i = 0; i < QK; i++) {
                s0 += x[x0 + i] * x[x0 + i];
                s1 += x[x0 + QK + i] * x[x0 + QK + i];
                s2 += x[x0 + 2 * QK + i] * x[x0 + 2 * QK + i];
                s3 += x[x0 + 3 * QK + i] * x[x0 + 3 * QK + i];
            }
            out[b] = s0;
            out[b + 1] = s1;
            out[b + 2] = s2;
            out[b + 3] = s3;
        }
        for (; b < blocks; b++) {
            out[b] = KQuants.sumOfSquares(x, xOff + QK * b, QK);
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        scalar.dequantizeRow(src, srcOff, n, y, yOff, KQuantsVector::scaleLevels);
    }
}
