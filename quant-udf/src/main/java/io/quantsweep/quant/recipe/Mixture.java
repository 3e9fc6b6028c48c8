package io.quantsweep.quant.recipe;

import io.quantsweep.quant.GgmlType;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * llama.cpp's quantized file types ({@code LLAMA_FTYPE_MOSTLY_*}: the K-quant mixtures, and the legacy and
 * IQ4 types, which are mixtures too: their output head is Q6_K) and their default types; the per-tensor
 * rules they imply, with llama-quantize's counters, are {@link MixtureRules}.
 *
 * <p>{@code Q3_K}, {@code Q4_K} and {@code Q5_K} are llama-quantize's aliases of the {@code _M}
 * mixtures; {@link Recipes#resolve} honours them, so a pure Q4_K needs {@code pure:Q4_K}.
 */
public enum Mixture implements RecipeBase {
    Q2_K(GgmlType.Q2_K),
    Q3_K_S(GgmlType.Q3_K),
    Q3_K_M(GgmlType.Q3_K, "Q3_K"),
    Q3_K_L(GgmlType.Q3_K),
    Q4_K_S(GgmlType.Q4_K),
    Q4_K_M(GgmlType.Q4_K, "Q4_K"),
    Q5_K_S(GgmlType.Q5_K),
    Q5_K_M(GgmlType.Q5_K, "Q5_K"),
    Q6_K(GgmlType.Q6_K),
    Q8_0(GgmlType.Q8_0),
    Q4_0(GgmlType.Q4_0),
    Q4_1(GgmlType.Q4_1),
    Q5_0(GgmlType.Q5_0),
    Q5_1(GgmlType.Q5_1),
    IQ4_NL(GgmlType.IQ4_NL),
    IQ4_XS(GgmlType.IQ4_XS);

    private final GgmlType defaultType;
    private final List<String> aliases;

    Mixture(GgmlType defaultType, String... aliases) {
        this.defaultType = defaultType;
        this.aliases = List.of(aliases);
    }

    @Override
    public GgmlType defaultType() {
        return defaultType;
    }

    @Override
    public String label() {
        return name();
    }

    /** The mixture a name or alias stands for, case-insensitive ({@code q4_k_m}, {@code Q4_K}). */
    public static Optional<Mixture> byName(String name) {
        String upper = name.strip().toUpperCase(Locale.ROOT);
        for (Mixture m : values()) {
            if (m.name().equals(upper) || m.aliases.contains(upper)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
