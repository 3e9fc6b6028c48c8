package io.quantsweep.quant.recipe;

import static io.quantsweep.quant.GgmlType.Q3_K;
import static io.quantsweep.quant.GgmlType.Q4_1;
import static io.quantsweep.quant.GgmlType.Q4_K;
import static io.quantsweep.quant.GgmlType.Q5_1;
import static io.quantsweep.quant.GgmlType.Q5_K;
import static io.quantsweep.quant.GgmlType.Q6_K;
import static io.quantsweep.quant.GgmlType.Q8_0;

import io.quantsweep.quant.GgmlType;

/**
 * llama-quantize's per-tensor rules for the mixtures ({@code llama_tensor_get_type_impl}), with the
 * counters it keeps while it walks the tensors in {@link RecipeTensor#LLAMA_ORDER}. One instance serves
 * one pass over one model.
 *
 * <p>Reproduced: the output head, the attn_v-like group ({@code attn_v}, {@code attn_qkv},
 * {@code attn_kv_b}) with its running counter, {@code attn_k}, {@code attn_output}, {@code ffn_down}
 * by layer (from the {@code blk.N.} name for MoE models, from a counter otherwise), the
 * {@code n_expert == 8} cases, and the rules that depend on whether an importance matrix is given
 * (llama-quantize's {@code has_imatrix}: Q4_0 and Q5_0 guard the first eighth of {@code ffn_down} with
 * Q4_1 and Q5_1 only then, IQ4_NL and IQ4_XS with Q5_K only without one). Not reproduced: the Falcon and
 * LLaMA-70B special cases, which need the architecture and model size; no DeepSeek tensor reaches them.
 */
final class MixtureRules {
    private final Mixture mixture;
    private final ModelFacts facts;
    private final boolean tiedEmbeddings;
    private final boolean importance;
    private final int nAttentionWv;
    private final SourceLine at;
    private int iAttentionWv;
    private int iFfnDown;
    private int iFfnGate;
    private int iFfnUp;

    MixtureRules(Mixture mixture, ModelFacts facts, boolean tiedEmbeddings, boolean importance, int nAttentionWv,
                 SourceLine at) {
        this.mixture = mixture;
        this.facts = facts;
        this.tiedEmbeddings = tiedEmbeddings;
        this.importance = importance;
        this.nAttentionWv = nAttentionWv;
        this.at = at;
    }

    /** llama.cpp's {@code use_more_bits}: the first and last eighth of the layers and every third between. */
    static boolean useMoreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    /** The mixture's type for a quantizable tensor; advances the counters as llama-quantize does. */
    GgmlType choose(RecipeTensor t, TensorCategory category) {
        GgmlType base = mixture.defaultType();
        if (category == TensorCategory.OUTPUT || (tiedEmbeddings && category == TensorCategory.TOKEN_EMBD)) {
            if (t.rowLength() % base.blockSize() != 0) {
                return Q8_0;
            }
            return base == Q8_0 ? Q8_0 : Q6_K;
        }
        if (category.attnVLike()) {
            GgmlType type = attnV(base);
            iAttentionWv++;
            return type;
        }
        return switch (category) {
            case ATTN_K -> facts.nExpert() == 8 ? Q8_0 : base;
            case ATTN_OUTPUT -> attnOutput(base);
            case FFN_DOWN -> {
                GgmlType type = ffnDown(base, layerOf(t, iFfnDown));
                iFfnDown++;
                yield type;
            }
            case FFN_GATE -> {
                layerOf(t, iFfnGate);
                iFfnGate++;
                yield base;
            }
            case FFN_UP -> {
                layerOf(t, iFfnUp);
                iFfnUp++;
                yield base;
            }
            default -> base;
        };
    }

    private GgmlType attnV(GgmlType base) {
        int i = iAttentionWv;
        GgmlType type = switch (mixture) {
            case Q2_K -> facts.nGqa() >= 4 ? Q4_K : Q3_K;
            case Q3_K_M -> i < 2 ? Q5_K : Q4_K;
            case Q3_K_L -> Q5_K;
            case Q4_K_M, Q5_K_M -> useMoreBits(i, nAttentionWv) ? Q6_K : base;
            case Q4_K_S -> i < 4 ? Q5_K : base;
            case IQ4_NL, IQ4_XS -> facts.nGqa() >= 4 ? Q5_K : base;
            default -> base;
        };
        return facts.nExpert() == 8 ? Q8_0 : type;
    }

    private GgmlType attnOutput(GgmlType base) {
        if (facts.nExpert() == 8) {
            return switch (mixture) {
                case Q2_K, Q3_K_S, Q3_K_M, Q4_K_S, Q4_K_M, IQ4_NL, IQ4_XS -> Q5_K;
                default -> base;
            };
        }
        return switch (mixture) {
            case Q2_K -> Q3_K;
            case Q3_K_M -> Q4_K;
            case Q3_K_L -> Q5_K;
            default -> base;
        };
    }

    private GgmlType ffnDown(GgmlType base, int i) {
        int n = facts.nLayer();
        return switch (mixture) {
            case Q2_K -> Q3_K;
            case Q3_K_M -> i < n / 16 ? Q5_K : Q4_K;
            case Q3_K_L -> Q5_K;
            case Q4_K_M, Q5_K_M -> useMoreBits(i, n) ? Q6_K : base;
            case Q4_K_S -> i < n / 8 ? Q5_K : base;
            case IQ4_NL, IQ4_XS -> i < n / 8 && !importance ? Q5_K : base;
            case Q4_0 -> i < n / 8 && importance ? Q4_1 : base;
            case Q5_0 -> i < n / 8 && importance ? Q5_1 : base;
            default -> base;
        };
    }

    /**
     * llama.cpp's {@code layer_info}: a MoE model's FFN tensors are not consecutive, so the layer
     * comes from the name and must lie in {@code [0, n_layer)}; a dense model uses the running counter.
     */
    private int layerOf(RecipeTensor t, int counter) {
        if (facts.nExpert() <= 1) {
            return counter;
        }
        int layer = t.layer();
        if (layer < 0 || layer >= facts.nLayer()) {
            throw new RecipeException(RecipeException.Reason.BAD_TENSOR_LAYER, at,
                    "tensor '%s': a MoE FFN tensor needs a blk.N. layer in [0, %d)".formatted(t.name(), facts.nLayer()));
        }
        return layer;
    }
}
