package io.quantsweep.quant.codec;

import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link KQuants}' sub-block searches run on {@link #LANES} independent groups at once, one group per
 * vector lane (Vector API). Each lane performs exactly the scalar method's float operations in the
 * scalar order: lane-wise add, multiply, divide and compare only — no fused multiply-add, no reduction
 * across lanes, no {@code min}/{@code max} where the scalar code compares (those differ on −0.0). A scalar
 * {@code if} becomes a mask and a blend; a scalar early exit becomes a lane whose result is replaced at
 * the end. So every lane's output is bit for bit the scalar method's output for its group.
 *
 * <p>Data is lane-major: value {@code i} of the group in lane {@code k} is at {@code [i·LANES + k]}.
 * Instead of copying a trial's levels on each improvement, a lane remembers the inverse scale and offset
 * the winning levels were computed with and recomputes them once at the end, which gives the same levels.
 * Levels are kept as exact small floats; JDK 17 compiles int-to-float vector conversions but not the
 * reverse, so floats become ints through {@link KQuants#nearestInt}'s trick.
 */
final class KQuantsVector {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Groups searched at once. */
    static final int LANES = F.length();
    /** Bytes, one per float lane, for storing levels. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * LANES));
    /**
     * {@link KQuants#nearestInt} in every lane is {@code f.add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF)},
     * written out in place: C2 may refuse to inline a helper method once a kernel has been inlined into a
     * large caller (NodeCountInliningCutoff), and a vector passed to a method it did not inline is boxed.
     * The Vector API's own methods are always inlined. The other Vector API codecs use these constants too.
     */
    static final float ROUND = 12582912f;
    static final int MANTISSA = 0x007fffff;
    static final int HALF = 0x00400000;

    private KQuantsVector() {
    }

    /**
     * {@code y[yOff + l] = d * L[lOff + l] - m} for {@code l < n} ({@code n} a multiple of {@link #LANES}):
     * the scalar loop's operations, lane by lane.
     */
    static void scaleLevels(byte[] L, int lOff, int n, float d, float m, float[] y, int yOff) {
        for (int i = 0; i < n; i += LANES) {
            FloatVector levels = (FloatVector) ByteVector.fromArray(B, L, lOff + i).convertShape(VectorOperators.B2F, F, 0);
            levels.mul(d).sub(m).intoArray(y, yOff + i);
        }
    }

    /**
     * Lane-major scratch for groups of {@code n} values: the inputs {@link #x} and {@link #w}, the integer
     * {@link #levels} a search leaves, and the per-lane state a search carries between its passes. The
     * passes are separate methods that keep their vectors local: one method holding a whole search
     * outgrows what C2 inlines, and a vector it does not inline is boxed.
     */
    static final class Lanes {
        final int n;
        final float[] x;
        final float[] w;
        /** {@code w·x}, where a search uses it on every step (makeQ3Quants). */
        final float[] wx;
        /**
         * Where the levels a search leaves go: value i of lane k at {@code levels[levelsOff + i·LANES + k]};
         * by default this group's own array, or a span of a row's array (see {@link LaneRefit}).
         */
        int[] levels;
        int levelsOff;
        /** Trial levels (makeQkx2Quants) or current signed levels (makeQ3Quants), as floats. */
        final float[] trial;
        /** The σ² each lane's importance weights use (its super-block's). */
        final float[] sigma2 = new float[LANES];
        final float[] min = new float[LANES];
        final float[] max = new float[LANES];
        final float[] amax = new float[LANES];
        /** {@code max − min} at the start of makeQkx2Quants: 0 marks a flat group, which returns early. */
        final float[] span = new float[LANES];
        final float[] sumW = new float[LANES];
        final float[] sumX = new float[LANES];
        final float[] sumL = new float[LANES];
        /** Σ w·x·l (makeQkx2Quants' sum_xl, the others' sumlx). */
        final float[] sumLX = new float[LANES];
        final float[] sumL2 = new float[LANES];
        /** The inverse scale of the current trial. */
        final float[] iscale = new float[LANES];
        final float[] bestError = new float[LANES];
        final float[] best = new float[LANES];
        final float[] bestScale = new float[LANES];
        final float[] levelIscale = new float[LANES];
        final float[] levelMin = new float[LANES];

        Lanes(int n) {
            this.n = n;
            x = new float[n * LANES];
            w = new float[n * LANES];
            wx = new float[n * LANES];
            levels = new int[n * LANES];
            trial = new float[n * LANES];
        }

        /** Lane {@code k} gets the values {@code x[xs..xs+n)} and the weights {@code w[wOff..wOff+n)}. */
        void set(int k, float[] x, int xs, float[] w, int wOff) {
            for (int i = 0; i < n; i++) {
                this.x[i * LANES + k] = x[xs + i];
                this.w[i * LANES + k] = w[wOff + i];
            }
        }

        /** Lane {@code k} gets the values {@code x[xs..xs+n)}; a search that derives its own weights needs no more. */
        void setValues(int k, float[] x, int xs) {
            for (int i = 0; i < n; i++) {
                this.x[i * LANES + k] = x[xs + i];
            }
        }

        /** Lane {@code k} gets the values {@code x[xs..xs+n)} and the weights {@code x²}. */
        void setSquareWeights(int k, float[] x, int xs) {
            for (int i = 0; i < n; i++) {
                this.x[i * LANES + k] = x[xs + i];
                this.w[i * LANES + k] = x[xs + i] * x[xs + i];
            }
        }

        /** Lane {@code k}'s levels into {@code L[lOff..lOff+n)}. */
        void levelsTo(int k, byte[] L, int lOff) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = (byte) levels[levelsOff + i * LANES + k];
            }
        }

        /** Zero levels for the lanes whose largest magnitude is below {@link KQuants#GROUP_MAX_EPS}. */
        void zeroSmallGroups() {
            for (int k = 0; k < LANES; k++) {
                if (amax[k] < KQuants.GROUP_MAX_EPS) {
                    for (int i = 0; i < n; i++) {
                        levels[levelsOff + i * LANES + k] = 0;
                    }
                }
            }
        }
    }

    /**
     * {@link KQuants#makeQkx2Quants} on {@link #LANES} groups of {@code n} values in {@code g.x}, weighted
     * by {@code g.w}. Writes each lane's scale to {@code scale[off + k]}, its {@code −min} to
     * {@code theMin[off + k]} and its levels to {@code g.levels}.
     */
    static void makeQkx2Quants(int n, int nmax, Lanes g, float rmin, float rdelta, int nstep, boolean useMad,
                               float[] scale, float[] theMin, int off) {
        qkx2Start(n, nmax, g, useMad);
        for (int is = 0; is <= nstep; is++) {
            qkx2Trial(n, nmax, g, rmin + rdelta * is + nmax, useMad);
        }
        qkx2Finish(n, nmax, g, scale, theMin, off);
    }

    /**
     * Range, weight sums, and the error of the levels at {@code nmax/(max − min)}. The error is
     * {@code w·|d|} with {@code useMad}, else {@code w·d²}; |d|·|d| is d·d exactly, and a mask instead of
     * a branch keeps the vectors out of a control-flow merge, which C2 would box.
     */
    private static void qkx2Start(int n, int nmax, Lanes g, boolean useMad) {
        VectorMask<Float> square = F.maskAll(!useMad);
        FloatVector x0 = FloatVector.fromArray(F, g.x, 0);
        FloatVector min = x0;
        FloatVector max = x0;
        FloatVector sumW = FloatVector.fromArray(F, g.w, 0);
        FloatVector sumX = sumW.mul(x0);
        for (int i = 1; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, g.x, i * LANES);
            min = min.blend(xi, xi.lt(min));
            max = max.blend(xi, xi.compare(VectorOperators.GT, max));
            FloatVector wi = FloatVector.fromArray(F, g.w, i * LANES);
            sumW = sumW.add(wi);
            sumX = sumX.add(wi.mul(xi));
        }
        min = min.blend(0f, min.compare(VectorOperators.GT, 0f));
        FloatVector span = max.sub(min);
        FloatVector iscale = FloatVector.broadcast(F, (float) nmax).div(span);
        FloatVector scale = FloatVector.broadcast(F, 1f).div(iscale);
        FloatVector error = FloatVector.zero(F);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, g.x, i * LANES);
            FloatVector l = (FloatVector) iscale.mul(xi.sub(min)).add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF)
                    .max(0).min(nmax).convert(VectorOperators.I2F, 0);
            FloatVector diff = scale.mul(l).add(min).sub(xi).abs();
            error = error.add(FloatVector.fromArray(F, g.w, i * LANES).mul(diff.blend(diff.mul(diff), square)));
        }
        min.intoArray(g.min, 0);
        max.intoArray(g.max, 0);
        span.intoArray(g.span, 0);
        sumW.intoArray(g.sumW, 0);
        sumX.intoArray(g.sumX, 0);
        error.intoArray(g.bestError, 0);
        scale.intoArray(g.bestScale, 0);
        iscale.intoArray(g.levelIscale, 0);
        min.intoArray(g.levelMin, 0);
    }

    /**
     * One trial inverse scale {@code numerator/(max − min)}: its levels (into {@code g.trial}) and their
     * weighted sums (into {@code g.sumL}, {@code g.sumL2}, {@code g.sumXL}), then {@link #qkx2Fit}.
     */
    private static void qkx2Trial(int n, int nmax, Lanes g, float numerator, boolean useMad) {
        FloatVector min = FloatVector.fromArray(F, g.min, 0);
        FloatVector iscale = FloatVector.broadcast(F, numerator).div(FloatVector.fromArray(F, g.max, 0).sub(min));
        FloatVector sumL = FloatVector.zero(F);
        FloatVector sumL2 = FloatVector.zero(F);
        FloatVector sumXL = FloatVector.zero(F);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, g.x, i * LANES);
            FloatVector l = (FloatVector) iscale.mul(xi.sub(min)).add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF)
                    .max(0).min(nmax).convert(VectorOperators.I2F, 0);
            l.intoArray(g.trial, i * LANES);
            FloatVector wl = FloatVector.fromArray(F, g.w, i * LANES).mul(l);
            sumL = sumL.add(wl);
            sumL2 = sumL2.add(wl.mul(l));
            sumXL = sumXL.add(wl.mul(xi));
        }
        iscale.intoArray(g.iscale, 0);
        sumL.intoArray(g.sumL, 0);
        sumL2.intoArray(g.sumL2, 0);
        sumXL.intoArray(g.sumLX, 0);
        qkx2Fit(n, g, useMad);
    }

    /** The trial's least-squares scale and min and their error; kept where the error is lower. */
    private static void qkx2Fit(int n, Lanes g, boolean useMad) {
        VectorMask<Float> square = F.maskAll(!useMad);
        FloatVector sumL = FloatVector.fromArray(F, g.sumL, 0);
        FloatVector sumL2 = FloatVector.fromArray(F, g.sumL2, 0);
        FloatVector sumXL = FloatVector.fromArray(F, g.sumLX, 0);
        FloatVector sumW = FloatVector.fromArray(F, g.sumW, 0);
        FloatVector sumX = FloatVector.fromArray(F, g.sumX, 0);
        FloatVector det = sumW.mul(sumL2).sub(sumL.mul(sumL));
        VectorMask<Float> solvable = det.compare(VectorOperators.GT, 0f)
                .andNot(FloatVector.fromArray(F, g.span, 0).eq(0f));
        if (!solvable.anyTrue()) {
            return;
        }
        FloatVector thisScale = sumW.mul(sumXL).sub(sumX.mul(sumL)).div(det);
        FloatVector thisMin = sumL2.mul(sumX).sub(sumL.mul(sumXL)).div(det);
        VectorMask<Float> positive = thisMin.compare(VectorOperators.GT, 0f);
        thisMin = thisMin.blend(0f, positive);
        thisScale = thisScale.blend(sumXL.div(sumL2), positive);
        FloatVector error = FloatVector.zero(F);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, g.x, i * LANES);
            FloatVector l = FloatVector.fromArray(F, g.trial, i * LANES);
            FloatVector diff = thisScale.mul(l).add(thisMin).sub(xi).abs();
            error = error.add(FloatVector.fromArray(F, g.w, i * LANES).mul(diff.blend(diff.mul(diff), square)));
        }
        FloatVector bestError = FloatVector.fromArray(F, g.bestError, 0);
        VectorMask<Float> better = solvable.and(error.lt(bestError));
        FloatVector min = FloatVector.fromArray(F, g.min, 0);
        bestError.blend(error, better).intoArray(g.bestError, 0);
        FloatVector.fromArray(F, g.bestScale, 0).blend(thisScale, better).intoArray(g.bestScale, 0);
        FloatVector.fromArray(F, g.levelIscale, 0).blend(FloatVector.fromArray(F, g.iscale, 0), better)
                .intoArray(g.levelIscale, 0);
        FloatVector.fromArray(F, g.levelMin, 0).blend(min, better).intoArray(g.levelMin, 0);
        min.blend(thisMin, better).intoArray(g.min, 0);
    }

    /**
     * Results. A flat lane ({@code max == min}, never solvable in a trial, so its min is the start's) has
     * scale 0 and levels 0, which a zero inverse scale yields.
     */
    private static void qkx2Finish(int n, int nmax, Lanes g, float[] scale, float[] theMin, int off) {
        FloatVector min = FloatVector.fromArray(F, g.min, 0);
        VectorMask<Float> flat = FloatVector.fromArray(F, g.span, 0).eq(0f);
        FloatVector.fromArray(F, g.bestScale, 0).blend(0f, flat).intoArray(scale, off);
        min.neg().intoArray(theMin, off);
        FloatVector iscale = FloatVector.fromArray(F, g.levelIscale, 0).blend(0f, flat);
        FloatVector levelMin = FloatVector.fromArray(F, g.levelMin, 0);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, g.x, i * LANES);
            iscale.mul(xi.sub(levelMin)).add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF)
                    .max(0).min(nmax).intoArray(g.levels, g.levelsOff + i * LANES);
        }
    }

    /**
     * {@link KQuants#importanceWeights} in lanes: the raw importance in {@code g.w} becomes
     * {@code w·sqrt(σ² + x²)} with each lane's {@code g.sigma2}, and each lane's sum, in index order, goes
     * to {@code sw[off + k]}.
     */
    static void importanceWeights(int n, Lanes g, float[] sw, int off) {
        FloatVector sigma2 = FloatVector.fromArray(F, g.sigma2, 0);
        FloatVector sum = FloatVector.zero(F);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, g.x, i * LANES);
            FloatVector wi = FloatVector.fromArray(F, g.w, i * LANES).mul(sigma2.add(xi.mul(xi)).sqrt());
            wi.intoArray(g.w, i * LANES);
            sum = sum.add(wi);
        }
        sum.intoArray(sw, off);
    }

    /** {@link ScaleMinK4Codec#refWeights} in lanes: {@code g.w = sqrt(Σx²/n) + |x|}, the sum in index order. */
    static void rmsPlusAbsWeights(int n, Lanes g) {
        FloatVector sumX2 = FloatVector.zero(F);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, g.x, i * LANES);
            sumX2 = sumX2.add(xi.mul(xi));
        }
        FloatVector avX = sumX2.div((float) n).sqrt();
        for (int i = 0; i < n; i++) {
            avX.add(FloatVector.fromArray(F, g.x, i * LANES).abs()).intoArray(g.w, i * LANES);
        }
    }

    /** {@link Q2_KCodec#refWeights} in lanes: {@code g.w = |x|}. */
    static void absWeights(int n, Lanes g) {
        for (int i = 0; i < n; i++) {
            FloatVector.fromArray(F, g.x, i * LANES).abs().intoArray(g.w, i * LANES);
        }
    }

    /** Sets {@code max} to the first element of largest magnitude in each lane and {@code amax} to |max|. */
    private static void maxAbs(int n, Lanes g) {
        FloatVector max = FloatVector.zero(F);
        FloatVector amax = FloatVector.zero(F);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, g.x, i * LANES);
            FloatVector ax = xi.abs();
            VectorMask<Float> larger = ax.compare(VectorOperators.GT, amax);
            amax = amax.blend(ax, larger);
            max = max.blend(xi, larger);
        }
        max.intoArray(g.max, 0);
        amax.intoArray(g.amax, 0);
    }

    /**
     * {@link KQuants#makeQxQuants} on {@link #LANES} groups of {@code n} values in {@code g.x}, weighted
     * by {@code g.w} (the caller stores {@code x²} there for ggml's default weights). Writes each lane's
     * scale to {@code scale[off + k]} and its levels {@code l + nmax} to {@code g.levels}.
     */
    static void makeQxQuants(int n, int nmax, Lanes g, float[] scale, int off) {
        maxAbs(n, g);
        qxStart(n, nmax, g);
        for (int is = -9; is <= 9; is++) {
            if (is != 0) {
                qxTrial(n, nmax, g, -(nmax + 0.1f * is));
            }
        }
        FloatVector small = FloatVector.fromArray(F, g.amax, 0);
        VectorMask<Float> isSmall = small.lt(KQuants.GROUP_MAX_EPS);
        FloatVector.fromArray(F, g.bestScale, 0).blend(0f, isSmall).intoArray(scale, off);
        FloatVector iscale = FloatVector.fromArray(F, g.levelIscale, 0);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, g.x, i * LANES);
            iscale.mul(xi).add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF)
                    .max(-nmax).min(nmax - 1).add(nmax).intoArray(g.levels, g.levelsOff + i * LANES);
        }
        if (isSmall.anyTrue()) {
            g.zeroSmallGroups();
        }
    }

    /** The levels at {@code −nmax/max} and the least-squares scale they give. */
    private static void qxStart(int n, int nmax, Lanes g) {
        qxSums(n, nmax, g, -nmax);
        FloatVector sumLX = FloatVector.fromArray(F, g.sumLX, 0);
        FloatVector sumL2 = FloatVector.fromArray(F, g.sumL2, 0);
        FloatVector scale = sumLX.div(sumL2).blend(0f, sumL2.eq(0f));
        scale.intoArray(g.bestScale, 0);
        scale.mul(sumLX).intoArray(g.best, 0);
        FloatVector.fromArray(F, g.iscale, 0).intoArray(g.levelIscale, 0);
    }

    /** One trial inverse scale {@code numerator/max}, kept where its scale explains more of the values. */
    private static void qxTrial(int n, int nmax, Lanes g, float numerator) {
        qxSums(n, nmax, g, numerator);
        keepBetterScale(g, true);
    }

    /**
     * The inverse scale {@code numerator/max} (into {@code g.iscale}) and the weighted sums of its nearest
     * levels, Σ w·x·l and Σ w·l² (into {@code g.sumLX}, {@code g.sumL2}).
     */
    private static void qxSums(int n, int nmax, Lanes g, float numerator) {
        FloatVector iscale = FloatVector.broadcast(F, numerator).div(FloatVector.fromArray(F, g.max, 0));
        FloatVector sumLX = FloatVector.zero(F);
        FloatVector sumL2 = FloatVector.zero(F);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, g.x, i * LANES);
            FloatVector l = (FloatVector) iscale.mul(xi).add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF)
                    .max(-nmax).min(nmax - 1).convert(VectorOperators.I2F, 0);
            FloatVector wi = FloatVector.fromArray(F, g.w, i * LANES);
            sumLX = sumLX.add(wi.mul(xi).mul(l));
            sumL2 = sumL2.add(wi.mul(l).mul(l));
        }
        iscale.intoArray(g.iscale, 0);
        sumLX.intoArray(g.sumLX, 0);
        sumL2.intoArray(g.sumL2, 0);
    }

    /**
     * {@link KQuants#makeQ3Quants} on {@code count} groups of {@link #LANES} lanes at once, each lane a group
     * of {@code n} values in {@code groups[j].x} (weights {@code x²}). Writes the scale of lane k of group j
     * to {@code scale[off + j·LANES + k]} and its levels {@code l + nmax} to {@code groups[j].levels}.
     *
     * <p>A step of the coordinate descent waits on the step before it (a division among its dozen
     * operations), so the groups take their steps in turn and their chains overlap. A lane that stops
     * changing would not change in a further pass either, so a group takes passes while any of its lanes
     * changes, at most five.
     */
    static void makeQ3Quants(int n, int nmax, Lanes[] groups, int count, float[] scale, int off) {
        for (int j = 0; j < count; j++) {
            maxAbs(n, groups[j]);
            q3Start(n, nmax, groups[j]);
        }
        boolean[] moving = new boolean[count];
        Arrays.fill(moving, true);
        for (int pass = 0; pass < 5; pass++) {
            boolean[] moved = new boolean[count];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < count; j++) {
                    if (moving[j]) {
                        moved[j] |= q3Step(nmax, groups[j], i);
                    }
                }
            }
            boolean any = false;
            for (int j = 0; j < count; j++) {
                any |= moved[j];
            }
            if (!any) {
                break;
            }
            moving = moved;
        }
        for (int j = 0; j < count; j++) {
            q3Finish(n, nmax, groups[j], scale, off + j * LANES);
        }
    }

    private static void q3Finish(int n, int nmax, Lanes g, float[] scale, int off) {
        FloatVector sumL2 = FloatVector.fromArray(F, g.sumL2, 0);
        VectorMask<Float> isSmall = FloatVector.fromArray(F, g.amax, 0).lt(KQuants.GROUP_MAX_EPS);
        FloatVector.fromArray(F, g.sumLX, 0).div(sumL2)
                .blend(0f, sumL2.compare(VectorOperators.GT, 0f).not().or(isSmall))
                .intoArray(scale, off);
        for (int i = 0; i < n; i++) {
            FloatVector.fromArray(F, g.trial, i * LANES).add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF)
                    .add(nmax).intoArray(g.levels, g.levelsOff + i * LANES);
        }
        if (isSmall.anyTrue()) {
            g.zeroSmallGroups();
        }
    }

    /** The levels at {@code −nmax/max} (into {@code g.trial}), their sums, and the weights x² and x³. */
    private static void q3Start(int n, int nmax, Lanes g) {
        FloatVector iscale = FloatVector.broadcast(F, (float) -nmax).div(FloatVector.fromArray(F, g.max, 0));
        FloatVector sumLX = FloatVector.zero(F);
        FloatVector sumL2 = FloatVector.zero(F);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, g.x, i * LANES);
            FloatVector l = (FloatVector) iscale.mul(xi).add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF)
                    .max(-nmax).min(nmax - 1).convert(VectorOperators.I2F, 0);
            l.intoArray(g.trial, i * LANES);
            FloatVector wi = xi.mul(xi);
            FloatVector wx = wi.mul(xi);
            wi.intoArray(g.w, i * LANES);
            wx.intoArray(g.wx, i * LANES);
            sumLX = sumLX.add(wx.mul(l));
            sumL2 = sumL2.add(wi.mul(l).mul(l));
        }
        sumLX.intoArray(g.sumLX, 0);
        sumL2.intoArray(g.sumL2, 0);
    }

    /**
     * The coordinate-descent step on value {@code i}: its level moves where that explains more of the
     * lane's values. Whether any lane moved. The sums live in {@code g} and are stored only on a move.
     */
    private static boolean q3Step(int nmax, Lanes g, int i) {
        FloatVector sumLX = FloatVector.fromArray(F, g.sumLX, 0);
        FloatVector sumL2 = FloatVector.fromArray(F, g.sumL2, 0);
        FloatVector xi = FloatVector.fromArray(F, g.x, i * LANES);
        FloatVector li = FloatVector.fromArray(F, g.trial, i * LANES);
        FloatVector wi = FloatVector.fromArray(F, g.w, i * LANES);
        FloatVector wx = FloatVector.fromArray(F, g.wx, i * LANES);
        FloatVector slx = sumLX.sub(wx.mul(li));
        FloatVector sl2 = sumL2.sub(wi.mul(li).mul(li));
        FloatVector nl = (FloatVector) xi.mul(sl2).div(slx).add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF)
                .max(-nmax).min(nmax - 1).convert(VectorOperators.I2F, 0);
        FloatVector slxNew = slx.add(wx.mul(nl));
        FloatVector sl2New = sl2.add(wi.mul(nl).mul(nl));
        VectorMask<Float> take = slx.compare(VectorOperators.GT, 0f)
                .and(nl.compare(VectorOperators.NE, li))
                .and(sl2New.compare(VectorOperators.GT, 0f))
                .and(slxNew.mul(slxNew).mul(sumL2).compare(VectorOperators.GT, sumLX.mul(sumLX).mul(sl2New)));
        li.blend(nl, take).intoArray(g.trial, i * LANES);
        sumLX.blend(slxNew, take).intoArray(g.sumLX, 0);
        sumL2.blend(sl2New, take).intoArray(g.sumL2, 0);
        return take.anyTrue();
    }

    /** {@link KQuants#KVALUES_IQ4NL} as floats. */
    private static final float[] K = new float[16];

    static {
        for (int k = 0; k < 16; k++) {
            K[k] = KQuants.KVALUES_IQ4NL[k];
        }
    }

    /**
     * {@link LegacyQuants#iq4BlockScale} on {@link #LANES} 32-blocks in {@code g.x}, weighted by {@code g.w};
     * each lane's scale goes to {@code scale[off + k]}.
     */
    static void iq4Scales(Lanes g, float[] scale, int off) {
        maxAbs(32, g);
        FloatVector max = FloatVector.fromArray(F, g.max, 0);
        FloatVector.broadcast(F, 1f).div(max.neg().div(K[0])).intoArray(g.iscale, 0);
        iq4Sums(g);
        FloatVector sumqx = FloatVector.fromArray(F, g.sumLX, 0);
        FloatVector sumq2 = FloatVector.fromArray(F, g.sumL2, 0);
        FloatVector d = sumqx.div(sumq2).blend(0f, sumq2.compare(VectorOperators.GT, 0f).not());
        d.intoArray(g.bestScale, 0);
        d.mul(sumqx).intoArray(g.best, 0);
        for (int itry = -7; itry <= 7; itry++) {
            FloatVector.broadcast(F, (float) (itry + KQuants.KVALUES_IQ4NL[0])).div(max).intoArray(g.iscale, 0);
            iq4Sums(g);
            keepBetterScale(g, false);
        }
        FloatVector.fromArray(F, g.bestScale, 0)
                .blend(0f, FloatVector.fromArray(F, g.amax, 0).lt(KQuants.GROUP_MAX_EPS))
                .intoArray(scale, off);
    }

    /** The weighted sums of the nearest levels at the inverse scales {@code g.iscale}: Σ w·q·x, Σ w·q². */
    private static void iq4Sums(Lanes g) {
        FloatVector id = FloatVector.fromArray(F, g.iscale, 0);
        FloatVector sumqx = FloatVector.zero(F);
        FloatVector sumq2 = FloatVector.zero(F);
        for (int i = 0; i < 32; i++) {
            FloatVector xi = FloatVector.fromArray(F, g.x, i * LANES);
            FloatVector v = id.mul(xi);
            FloatVector below = FloatVector.broadcast(F, K[0]);
            FloatVector above = FloatVector.broadcast(F, K[1]);
            for (int k = 1; k < 15; k++) {
                VectorMask<Float> past = v.compare(VectorOperators.GE, K[k]);
                below = below.blend(K[k], past);
                above = above.blend(K[k + 1], past);
            }
            FloatVector q = below.blend(above, v.sub(below).compare(VectorOperators.LT, above.sub(v)).not())
                    .blend(K[0], v.compare(VectorOperators.LE, K[0]))
                    .blend(K[15], v.compare(VectorOperators.GE, K[15]).or(v.compare(VectorOperators.NE, v)));
            FloatVector wq = FloatVector.fromArray(F, g.w, i * LANES).mul(q);
            sumqx = sumqx.add(wq.mul(xi));
            sumq2 = sumq2.add(wq.mul(q));
        }
        sumqx.intoArray(g.sumLX, 0);
        sumq2.intoArray(g.sumL2, 0);
    }

    /**
     * Keeps the trial's scale {@code Σqx/Σq²} where it explains more: {@code (Σqx)² > best·Σq²}; with
     * {@code levels}, also the trial's inverse scale, from which make_qx_quants re-derives its levels.
     * The mask stays inside this method: passed to another, it would be boxed.
     */
    private static void keepBetterScale(Lanes g, boolean levels) {
        FloatVector sumqx = FloatVector.fromArray(F, g.sumLX, 0);
        FloatVector sumq2 = FloatVector.fromArray(F, g.sumL2, 0);
        FloatVector best = FloatVector.fromArray(F, g.best, 0);
        VectorMask<Float> better = sumq2.compare(VectorOperators.GT, 0f)
                .and(sumqx.mul(sumqx).compare(VectorOperators.GT, best.mul(sumq2)));
        FloatVector d = sumqx.div(sumq2);
        FloatVector.fromArray(F, g.bestScale, 0).blend(d, better).intoArray(g.bestScale, 0);
        best.blend(d.mul(sumqx), better).intoArray(g.best, 0);
        if (levels) {
            FloatVector.fromArray(F, g.levelIscale, 0).blend(FloatVector.fromArray(F, g.iscale, 0), better)
                    .intoArray(g.levelIscale, 0);
        }
    }

    /**
     * {@link Refit}'s loops in lanes of consecutive values ({@code n} a multiple of {@link #LANES}); the
     * search levels are already where the scalar code keeps them ({@link #keep} does nothing).
     * {@code best_index_int8} becomes a count: the bisection ends at the c with {@code K[c] ≤ v < K[c+1]},
     * c being the number of levels {@code K[1..14]} at most v; the tie rule and the edges are the scalar's
     * (a NaN, which every comparison fails, ends at 15 there too).
     */
    static class VectorRefit implements Refit {
        @Override
        public void symmetric(int n, float[] x, int xOff, float d, int lo, int hi, byte[] L, int lOff) {
            for (int i = 0; i < n; i += LANES) {
                IntVector l = FloatVector.fromArray(F, x, xOff + i).div(d)
                        .add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF).max(lo).min(hi).sub(lo);
                l.convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(L, lOff + i);
            }
        }

        @Override
        public void withMin(int n, int nmax, float[] x, int xOff, float d, float m, byte[] L, int lOff) {
            for (int i = 0; i < n; i += LANES) {
                IntVector l = FloatVector.fromArray(F, x, xOff + i).add(m).div(d)
                        .add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF).max(0).min(nmax);
                l.convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(L, lOff + i);
            }
        }

        @Override
        public void nonLinear(int n, float[] x, int xOff, float id, byte[] L, int lOff) {
            for (int i = 0; i < n; i += LANES) {
                FloatVector v = FloatVector.fromArray(F, x, xOff + i).mul(id);
                FloatVector c = FloatVector.zero(F);
                FloatVector below = FloatVector.broadcast(F, K[0]);
                FloatVector above = FloatVector.broadcast(F, K[1]);
                for (int k = 1; k < 15; k++) {
                    VectorMask<Float> past = v.compare(VectorOperators.GE, K[k]);
                    c = c.blend((float) k, past);
                    below = below.blend(K[k], past);
                    above = above.blend(K[k + 1], past);
                }
                c.blend(c.add(1f), v.sub(below).compare(VectorOperators.LT, above.sub(v)).not())
                        .blend(0f, v.compare(VectorOperators.LE, K[0]))
                        .blend(15f, v.compare(VectorOperators.GE, K[15]).or(v.compare(VectorOperators.NE, v)))
                        .add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF)
                        .convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(L, lOff + i);
            }
        }

        @Override
        public void keep(int n, byte[] L, int lOff) {
        }
    }

    /** {@link VectorRefit} for callers whose search levels are where the scalar code keeps them. */
    static final Refit REFIT = new VectorRefit();

    /**
     * {@link VectorRefit} for rows whose searches left their levels lane-major in {@code levels}: sub-block
     * s (of {@code sub} values) in lane {@code s % LANES} of the span {@code s / LANES}. A sub-block whose
     * scale decodes to zero keeps those levels ({@link #keep}); every other sub-block's levels are replaced
     * by the refit, so the search levels are read back only where they are kept.
     */
    static final class LaneRefit extends VectorRefit {
        private final int[] levels;
        private final int sub;

        LaneRefit(int[] levels, int sub) {
            this.levels = levels;
            this.sub = sub;
        }

        /** {@code L[lOff..lOff+n)} is sub-block {@code lOff / sub} of the row: its search levels. */
        @Override
        public void keep(int n, byte[] L, int lOff) {
            int s = lOff / sub;
            int base = s / LANES * sub * LANES + s % LANES;
            for (int i = 0; i < n; i++) {
                L[lOff + i] = (byte) levels[base + i * LANES];
            }
        }
    }
}
