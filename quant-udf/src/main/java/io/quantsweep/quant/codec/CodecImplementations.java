package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
    private static final String VECTOR_SKIPPED = vectorSkipReason(Boolean.getBoolean(SCALAR_PROPERTY),
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());

    static {
        if (VECTOR_SKIPPED != null) {
            LOG.log(Level.INFO, "Vector API codecs skipped, using the scalar codecs: " + VECTOR_SKIPPED);
        }
    }

    private CodecImplementations() {
    }

    /** Why the Vector API codecs cannot run, or {@code null}; {@link VectorCodecs} is loaded only if the module is. */
    static String vectorSkipReason(boolean scalarForced, boolean vectorModuleLoaded) {
        if (scalarForced) {
            return "-D" + SCALAR_PROPERTY + "=true";
        }
        if (!vectorModuleLoaded) {
            return "module jdk.incubator.vector is not loaded (run the JVM with --add-modules jdk.incubator.vector)";
        }
        return VectorCodecs.unavailableReason();
    }

    /** Why this JVM runs no Vector API codec, if it runs none. */
    public static Optional<String> vectorSkipped() {
        return Optional.ofNullable(VECTOR_SKIPPED);
    }

    /** Every implementation of {@code scalar}'s type that runs here, the preferred one first, {@code scalar} last. */
    public static List<Codec> of(Codec scalar) {
        List<Codec> all = new ArrayList<>(2);
        if (VECTOR_SKIPPED == null) {
            Codec vector = VectorCodecs.of(scalar);
            if (vector != null) {
                all.add(vector);
            }
        }
        all.add(scalar);
        return List.copyOf(all);
    }
}
