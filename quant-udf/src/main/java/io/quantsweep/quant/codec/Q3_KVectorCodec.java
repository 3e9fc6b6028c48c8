package io.quantsweep.quant.codec;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q3_K ({@link Q3_KCodec}) with the sub-block searches in Vector API lanes ({@link KQuantsVector#makeQ3Quants}
 * without importance, {@link KQuantsVector#makeQxQuants} with it); weights, scale encoding and refit are the
 * scalar codec's.
 */
final class Q3_KVectorCodec extends SubBlockVectorCodec {
    /** Lane groups whose make_q3_quants descents run interleaved (see {@link KQuantsVector#makeQ3Quants}). */
    private static final int Q3_GROUPS = 4;
    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;

    Q3_KVectorCodec(Q3_KCodec scalar) {
        super(scalar, Q3_KCodec.SUB);
    }

    @Override
    int groupsPerBatch(boolean importance) {
        return importance ? 1 : Q3_GROUPS;
    }

    @Override
    void fillLane(KQuantsVector.Lanes g, int k, float[] x, int xOff, int s, float[] importance, Scratch r) {
        fillValuesOrWeights(g, k, x, xOff, s, importance, r, Q3_KCodec::importanceSigma2);
    }

    @Override
    void search(KQuantsVector.Lanes[] groups, int count, float[] importance, Scratch r, int s0) {
        if (importance == null) {
            KQuantsVector.makeQ3Quants(sub, 4, groups, count, r.scales, s0);
        } else {
            KQuantsVector.importanceWeights(sub, groups[0], r.sw, s0);
            KQuantsVector.makeQxQuants(sub, 4, groups[0], r.scales, s0);
        }
    }

    /** The importance path's scale search ({@link Q3_KCodec#encodeScalesImpl}) with super-blocks in lanes. */
    @Override
    void acrossBlocks(int nBlocks, float[] importance, Scratch r) {
        if (importance == null) {
            return;
        }
        KQuantsVector.Lanes g = r.blockLanes;
        for (int b0 = 0; b0 < nBlocks; b0 += LANES) {
            int lanes = Math.min(LANES, nBlocks - b0);
            for (int k = 0; k < lanes; k++) {
                g.set(k, r.scales, subPerBlock * (b0 + k), r.sw, subPerBlock * (b0 + k));
            }
            KQuantsVector.makeQxQuants(subPerBlock, 32, g, r.blockScales, b0);
            for (int k = 0; k < lanes; k++) {
                g.levelsTo(k, r.blockLevels, subPerBlock * (b0 + k));
            }
        }
    }

    @Override
    void finishBlock(float[] x, int xb, int b, float[] importance, Scratch r, byte[] dst, int out) {
        if (importance == null) {
            Q3_KCodec.encodeScalesRef(r.scales, subPerBlock * b, dst, out);
        } else {
            Q3_KCodec.storeScalesImpl(r.blockScales[b], r.blockLevels, subPerBlock * b, dst, out);
        }
        Q3_KCodec.requantize(x, xb, r.levels, QK * b, dst, out, r.refit);
        packHighBits(r.levels, QK * b, dst, out);
        KQuants.pack2(r.levels, QK * b, dst, out + Q3_KCodec.QS);
    }

    /** {@link Q3_KCodec#packHighBits} on the 32 bytes of each row of quants at once. */
    private static void packHighBits(byte[] quants, int qOff, byte[] dst, int out) {
        ByteVector hmask = ByteVector.zero(B32);
        for (int j = 0; j < 8; j++) {
            ByteVector q = ByteVector.fromArray(B32, quants, qOff + 32 * j);
            hmask = hmask.or(ByteVector.zero(B32).blend((byte) (1 << j), q.compare(VectorOperators.GT, (byte) 3)));
            q.and((byte) 3).intoArray(quants, qOff + 32 * j);
        }
        hmask.intoArray(dst, out);
    }
}
