package io.quantsweep.quant.codec;

/**
 * Q2_K ({@link Q2_KCodec}) with the sub-block searches in Vector API lanes
 * ({@link KQuantsVector#makeQkx2Quants}); weights, scale encoding and refit are the scalar codec's.
 */
final class Q2_KVectorCodec extends SubBlockVectorCodec {
    Q2_KVectorCodec(Q2_KCodec scalar) {
        super(scalar, Q2_KCodec.SUB);
    }

    @Override
    void fillLane(KQuantsVector.Lanes g, int k, float[] x, int xOff, int s, float[] importance, Scratch r) {
        fillValuesOrWeights(g, k, x, xOff, s, importance, r, Q2_KCodec::importanceSigma2);
    }

    @Override
    void search(KQuantsVector.Lanes[] groups, int count, float[] importance, Scratch r, int s0) {
        if (importance == null) {
            KQuantsVector.absWeights(sub, groups[0]);
            KQuantsVector.makeQkx2Quants(sub, Q2_KCodec.NMAX, groups[0], -0.5f, 0.1f, 15, true, r.scales, r.mins, s0);
        } else {
            KQuantsVector.importanceWeights(sub, groups[0], r.sw, s0);
            KQuantsVector.makeQkx2Quants(sub, Q2_KCodec.NMAX, groups[0], -0.9f, 0.05f, 36, false, r.scales, r.mins,
                    s0);
        }
    }

    @Override
    void finishBlock(float[] x, int xb, int b, float[] importance, Scratch r, byte[] dst, int out) {
        if (importance == null) {
            Q2_KCodec.encodeScalesRef(r.scales, r.mins, subPerBlock * b, dst, out);
        } else {
            Q2_KCodec.encodeScalesImpl(r.scales, r.mins, r.sw, subPerBlock * b, r.ls, r.lm, dst, out);
        }
        Q2_KCodec.requantizeAndPack(x, xb, r.levels, QK * b, dst, out, r.refit);
    }
}
