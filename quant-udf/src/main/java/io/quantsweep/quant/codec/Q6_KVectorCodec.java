package io.quantsweep.quant.codec;

/**
 * Q6_K ({@link Q6_KCodec}) with the sub-block searches in Vector API lanes ({@link KQuantsVector#makeQxQuants});
 * scale encoding, refit and packing are the scalar codec's.
 */
final class Q6_KVectorCodec extends SubBlockVectorCodec {
    Q6_KVectorCodec(Q6_KCodec scalar) {
        super(scalar, Q6_KCodec.SUB);
    }

    @Override
    void fillLane(KQuantsVector.Lanes g, int k, float[] x, int xOff, int s, float[] importance, Scratch r) {
        if (importance == null) {
            g.setSquareWeights(k, x, xOff + sub * s);
        } else {
            g.set(k, x, xOff + sub * s, importance, sub * s);
        }
    }

    @Override
    void search(KQuantsVector.Lanes[] groups, int count, float[] importance, Scratch r, int s0) {
        KQuantsVector.makeQxQuants(sub, 32, groups[0], r.scales, s0);
    }

    @Override
    void finishBlock(float[] x, int xb, int b, float[] importance, Scratch r, byte[] dst, int out) {
        Q6_KCodec.encodeAndPack(x, xb, r.scales, subPerBlock * b, r.levels, QK * b, dst, out, r.refit);
    }
}
