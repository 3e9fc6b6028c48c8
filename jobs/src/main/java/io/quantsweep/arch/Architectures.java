package io.quantsweep.arch;

import static io.quantsweep.arch.ModelMappingException.Reason.UNSUPPORTED_ARCHITECTURE;

import io.quantsweep.arch.deepseek.DeepseekV3;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The architecture registry: Hugging Face model class → mapping. */
public final class Architectures {
    private static final Map<String, Architecture> BY_HF_NAME = Map.of(DeepseekV3.HF_NAME, new DeepseekV3());

    private Architectures() {
    }

    /** The mapping for the class {@code config} names ({@code architectures[0]}). */
    public static Architecture of(HfConfig config) {
        String name = config.architecture();
        Architecture a = BY_HF_NAME.get(name);
        if (a == null) {
            throw new ModelMappingException(UNSUPPORTED_ARCHITECTURE, config.source() + ": architecture '" + name
                    + "' is not supported; supported: " + supported());
        }
        return a;
    }

    /** The supported Hugging Face model classes, sorted. */
    public static Set<String> supported() {
        return new TreeSet<>(BY_HF_NAME.keySet());
    }
}
