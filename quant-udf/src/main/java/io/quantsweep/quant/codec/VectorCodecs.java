package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import jdk.incubator.vector.FloatVector;

/**
 * The Vector API codecs. Only {@link CodecImplementations} touches this class, and only once it has
 * seen {@code jdk.incubator.vector} in the boot layer: loading it elsewhere fails without that module.
 */
final class VectorCodecs {
    /**
     * The vector widths the codecs were measured at (8 and 16 float lanes); their refit and Q8_0 loops also
     * need the sub-block and block sizes (16, 32) to be multiples of the lane count.
     */
    private static final int MIN_BITS = 256;
    private static final int MAX_BITS = 512;

    private VectorCodecs() {
    }

    /** Why the Vector API codecs cannot run here, or {@code null} when they can. */
    static String unavailableReason() {
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        return bits < MIN_BITS || bits > MAX_BITS
                ? "the preferred vector size is " + bits + " bits, not " + MIN_BITS + " to " + MAX_BITS : null;
    }

    /** The Vector API codec of {@code scalar}'s type, or {@code null} when that type has none. */
    static Codec of(Codec scalar) {
        return switch (scalar.type()) {
            case F16 -> new F16VectorCodec((F16Codec) scalar);
            case BF16 -> new BF16VectorCodec((BF16Codec) scalar);
            case Q8_0 -> new Q8_0VectorCodec((Q8_0Codec) scalar);
            case Q4_0, Q4_1, Q5_0, Q5_1 -> new LegacyVectorCodec((Legacy32Codec) scalar);
            case Q2_K -> new Q2_KVectorCodec((Q2_KCodec) scalar);
            case Q3_K -> new Q3_KVectorCodec((Q3_KCodec) scalar);
            case Q4_K, Q5_K -> new ScaleMinK4VectorCodec((ScaleMinK4Codec) scalar);
            case Q6_K -> new Q6_KVectorCodec((Q6_KCodec) scalar);
            case IQ4_NL -> new Iq4VectorCodec(scalar, 32);
            case IQ4_XS -> new Iq4VectorCodec(scalar, 256);
            default -> null;
        };
    }
}
