package io.quantsweep.quant.codec;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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
 */
final class KQuantsVector {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Groups searched at once. */
    static final int LANES = F.length();

    private KQuantsVector() {
    }

    /** {@link KQuants#nearestInt} in every lane. */
    private static IntVector nearestInt(FloatVector f) {
        return f.add(12582912f).reinterpretAsInts().and(0x007fffff).sub(0x00400000);
    }

    /** {@code clamp(nearestInt(f), lo, hi)} as floats, in every lane. */
    private static FloatVector level(FloatVector f, int lo, int hi) {
        return (FloatVector) nearestInt(f).max(lo).min(hi).convert(VectorOperators.I2F, 0);
    }

    /**
     * Lane-major scratch for groups of up to {@code n} values: the inputs {@link #x} and {@link #w}, the
     * integer {@link #levels} a search leaves, and the per-lane state a search carries between its passes.
     * The passes are separate methods that keep their vectors local: one method holding a whole search
     * outgrows what C2 inlines, and a vector it does not inline is boxed.
     */
    static final class Lanes {
        final float[] x;
        final float[] w;
        final int[] levels;
        final float[] trial;
        final float[] min = new float[LANES];
        final float[] max = new float[LANES];
        /** {@code max − min} at the start: 0 marks a flat group, which the scalar method returns early. */
        final float[] span = new float[LANES];
        final float[] sumW = new float[LANES];
        final float[] sumX = new float[LANES];
        final float[] bestError = new float[LANES];
        final float[] bestScale = new float[LANES];
        final float[] levelIscale = new float[LANES];
        final float[] levelMin = new float[LANES];

        Lanes(int n) {
            x = new float[n * LANES];
            w = new float[n * LANES];
            levels = new int[n * LANES];
            trial = new float[n * LANES];
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
            FloatVector l = level(iscale.mul(xi.sub(min)), 0, nmax);
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

    /** One trial inverse scale {@code numerator/(max − min)}: least-squares scale and min, kept if better. */
    private static void qkx2Trial(int n, int nmax, Lanes g, float numerator, boolean useMad) {
        VectorMask<Float> square = F.maskAll(!useMad);
        FloatVector min = FloatVector.fromArray(F, g.min, 0);
        FloatVector iscale = FloatVector.broadcast(F, numerator).div(FloatVector.fromArray(F, g.max, 0).sub(min));
        FloatVector sumL = FloatVector.zero(F);
        FloatVector sumL2 = FloatVector.zero(F);
        FloatVector sumXL = FloatVector.zero(F);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, g.x, i * LANES);
            FloatVector l = level(iscale.mul(xi.sub(min)), 0, nmax);
            l.intoArray(g.trial, i * LANES);
            FloatVector wl = FloatVector.fromArray(F, g.w, i * LANES).mul(l);
            sumL = sumL.add(wl);
            sumL2 = sumL2.add(wl.mul(l));
            sumXL = sumXL.add(wl.mul(xi));
        }
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
        keep(bestError, error, better, g.bestError);
        keep(FloatVector.fromArray(F, g.bestScale, 0), thisScale, better, g.bestScale);
        keep(FloatVector.fromArray(F, g.levelIscale, 0), iscale, better, g.levelIscale);
        keep(FloatVector.fromArray(F, g.levelMin, 0), min, better, g.levelMin);
        keep(min, thisMin, better, g.min);
    }

    /** Stores {@code better ? candidate : current} to {@code state} (JDK 17 has no fast masked store). */
    private static void keep(FloatVector current, FloatVector candidate, VectorMask<Float> better, float[] state) {
        current.blend(candidate, better).intoArray(state, 0);
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
            nearestInt(iscale.mul(xi.sub(levelMin))).max(0).min(nmax).intoArray(g.levels, i * LANES);
        }
    }
}
