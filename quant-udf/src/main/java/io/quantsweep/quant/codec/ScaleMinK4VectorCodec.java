package io.quantsweep.quant.codec;

/**
 * Q4_K and Q5_K ({@link ScaleMinK4Codec}) with the sub-block searches in Vector API lanes
 * ({@link KQuantsVector#makeQkx2Quants}); weights, scale encoding and refit are the scalar codec's.
 */
final class ScaleMinK4VectorCodec extends SubBlockVectorCodec {
    private final ScaleMinK4Codec scalar;

    ScaleMinK4VectorCodec(ScaleMinK4Codec scalar) {
        super(scalar, ScaleMinK4Codec.SUB);
        this.scalar = scalar;
    }

    @Override
    void fillLane(KQuantsVector.Lanes g, int k, float[] x, int xOff, int s, float[] importance, Scratch r) {
        fillValuesOrWeights(g, k, x, xOff, s, importance, r, ScaleMinK4Codec::importanceSigma2);
    }

    @Override
    void search(KQuantsVector.Lanes[] groups, int count, float[] importance, Scratch r, int s0) {
        ScaleMinK4Codec.Params params = scalar.params();
        if (importance == null) {
            KQuantsVector.rmsPlusAbsWeights(sub, groups[0]);
            KQuantsVector.makeQkx2Quants(sub, params.nmax(), groups[0], params.refRmin(), 0.1f, params.refNstep(),
                    false, r.scales, r.mins, s0);
        } else {
            KQuantsVector.importanceWeights(sub, groups[0], r.sw, s0);
            KQuantsVector.makeQkx2Quants(sub, params.nmax(), groups[0], -0.9f, 0.05f, 36, false, r.scales, r.mins,
                    s0);
        }
    }

    @Override
    void finishBlock(float[] x, int xb, int b, float[] importance, Scratch r, byte[] dst, int out) {
        if (importance == null) {
            ScaleMinK4Codec.encodeScalesRef(r.scales, r.mins, subPerBlock * b, r.ls, r.lm, dst, out);
        } else {
            scalar.encodeScalesImpl(r.scales, r.mins, r.sw, subPerBlock * b, r.ls, r.lm, dst, out);
        }
        scalar.requantizeAndPack(x, xb, r.levels, QK * b, dst, out, r.refit);
    }
}
