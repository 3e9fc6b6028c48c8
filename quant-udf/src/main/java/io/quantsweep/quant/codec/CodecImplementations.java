package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks the codec implementations this JVM can run, fastest first: Vector API (where a type has one),
 * then the scalar codec, which is the specification and always runs. Every implementation writes the
 * same bytes. The system property {@value #SCALAR_PROPERTY}{@code =true} forces the scalar codecs; why the
 * Vector API codecs were skipped is logged once.
 */
public final class CodecImplementations {
    /** Set to {@code true} to run only the scalar codecs. */
    public static final String SCALAR_PROPERTY = "quantsweep.codec.scalar";

    private static final System.Logger LOG = System.getLogger(CodecImplementations.class.getName());
    private static final boolean VECTOR = vectorUsable();

    private CodecImplementations() {
    }

    private static boolean vectorUsable() {
        String reason;
        if (Boolean.getBoolean(SCALAR_PROPERTY)) {
            reason = "-D" + SCALAR_PROPERTY + "=true";
        } else if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            reason = "module jdk.incubator.vector is not loaded (run the JVM with --add-modules jdk.incubator.vector)";
        } else {
            reason = VectorCodecs.unavailableReason();
        }
        if (reason != null) {
            LOG.log(Level.INFO, "Vector API codecs skipped, using the scalar codecs: " + reason);
        }
        return reason == null;
    }

    /** Every implementation of {@code scalar}'s type that runs here, the preferred one first, {@code scalar} last. */
    public static List<Codec> of(Codec scalar) {
        List<Codec> all = new ArrayList<>(2);
        if (VECTOR) {
            Codec vector = VectorCodecs.of(scalar);
            if (vector != null) {
                all.add(vector);
            }
        }
        all.add(scalar);
        return List.copyOf(all);
    }
}
