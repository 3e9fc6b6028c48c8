package io.quantsweep.plan;

import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.recipe.Mixture;
import io.quantsweep.quant.recipe.PureType;
import io.quantsweep.quant.recipe.RecipeBase;

/**
 * llama.cpp's {@code llama_ftype} ids, written as {@code general.file_type} (deepseek-v3-gguf.md §3.1).
 * Only the ids QuantSweep can produce have a constant; ids are llama.h's, never the ordinal.
 *
 * <p>{@link #of} maps a recipe's base to the id llama-quantize writes for it:
 * <ul>
 *   <li>a mixture: its own ftype ({@code Q4_K_M} → 15);</li>
 *   <li>a custom recipe (rules, overrides): the ftype of its base mixture, since llama-quantize was
 *       given that mixture and its {@code --tensor-type} options only change tensors;</li>
 *   <li>a pure type: the ftype llama-quantize is given for {@code --pure TYPE}. For the K-quants that
 *       is the alias's mixture ({@code Q4_K} means {@code Q4_K_M}, so {@code pure:Q4_K} is 15, and
 *       {@code pure:Q2_K} is 10); for the others the {@code MOSTLY_} type of the same name
 *       ({@code pure:Q4_0} → 2, {@code pure:IQ4_NL} → 25, {@code pure:BF16} → 32, {@code pure:F32} →
 *       {@code ALL_F32} 0).</li>
 * </ul>
 */
public enum LlamaFileType {
    ALL_F32(0),
    MOSTLY_F16(1),
    MOSTLY_Q4_0(2),
    MOSTLY_Q4_1(3),
    MOSTLY_Q8_0(7),
    MOSTLY_Q5_0(8),
    MOSTLY_Q5_1(9),
    MOSTLY_Q2_K(10),
    MOSTLY_Q3_K_S(11),
    MOSTLY_Q3_K_M(12),
    MOSTLY_Q3_K_L(13),
    MOSTLY_Q4_K_S(14),
    MOSTLY_Q4_K_M(15),
    MOSTLY_Q5_K_S(16),
    MOSTLY_Q5_K_M(17),
    MOSTLY_Q6_K(18),
    MOSTLY_IQ4_NL(25),
    MOSTLY_IQ4_XS(30),
    MOSTLY_BF16(32);

    private final int id;

    LlamaFileType(int id) {
        this.id = id;
    }

    /** The {@code llama_ftype} value. */
    public int id() {
        return id;
    }

    /** The ftype llama-quantize writes for a recipe on {@code base}. */
    public static LlamaFileType of(RecipeBase base) {
        if (base instanceof Mixture m) {
            return of(m);
        }
        return of(((PureType) base).type());
    }

    private static LlamaFileType of(Mixture m) {
        return switch (m) {
            case Q2_K -> MOSTLY_Q2_K;
            case Q3_K_S -> MOSTLY_Q3_K_S;
            case Q3_K_M -> MOSTLY_Q3_K_M;
            case Q3_K_L -> MOSTLY_Q3_K_L;
            case Q4_K_S -> MOSTLY_Q4_K_S;
            case Q4_K_M -> MOSTLY_Q4_K_M;
            case Q5_K_S -> MOSTLY_Q5_K_S;
            case Q5_K_M -> MOSTLY_Q5_K_M;
            case Q6_K -> MOSTLY_Q6_K;
            case Q8_0 -> MOSTLY_Q8_0;
            case Q4_0 -> MOSTLY_Q4_0;
            case Q4_1 -> MOSTLY_Q4_1;
            case Q5_0 -> MOSTLY_Q5_0;
            case Q5_1 -> MOSTLY_Q5_1;
            case IQ4_NL -> MOSTLY_IQ4_NL;
            case IQ4_XS -> MOSTLY_IQ4_XS;
        };
    }

    private static LlamaFileType of(GgmlType type) {
        return switch (type) {
            case F32 -> ALL_F32;
            case F16 -> MOSTLY_F16;
            case BF16 -> MOSTLY_BF16;
            case Q4_0 -> MOSTLY_Q4_0;
            case Q4_1 -> MOSTLY_Q4_1;
            case Q5_0 -> MOSTLY_Q5_0;
            case Q5_1 -> MOSTLY_Q5_1;
            case Q8_0 -> MOSTLY_Q8_0;
            case Q2_K -> MOSTLY_Q2_K;
            case Q3_K -> MOSTLY_Q3_K_M;
            case Q4_K -> MOSTLY_Q4_K_M;
            case Q5_K -> MOSTLY_Q5_K_M;
            case Q6_K -> MOSTLY_Q6_K;
            case IQ4_NL -> MOSTLY_IQ4_NL;
            case IQ4_XS -> MOSTLY_IQ4_XS;
            default -> throw new IllegalArgumentException("no llama_ftype for a pure " + type + " file");
        };
    }
}
