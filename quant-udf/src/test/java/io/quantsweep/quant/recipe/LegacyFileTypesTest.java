package io.quantsweep.quant.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantsweep.quant.GgmlType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * llama-quantize's legacy and IQ4 file types on DeepSeek-V3 671B, as its {@code llama_tensor_get_type}
 * decides them: the output head in Q6_K; {@code ffn_down} of the first eighth of the layers (0 to 6:
 * three dense, then {@code ffn_down_exps} and {@code ffn_down_shexp} of four MoE layers, 11 tensors) in
 * Q4_1 / Q5_1 for Q4_0 / Q5_0 only with an importance matrix, and in Q5_K for IQ4_NL / IQ4_XS only
 * without one; {@code attn_k_b}'s rows of 128 falling back from IQ4_XS to IQ4_NL. The legacy layout's
 * {@code attn_kv_b} is attn_v-like, which IQ4 raises to Q5_K only where {@code n_gqa >= 4}: not there.
 */
class LegacyFileTypesTest {

    @ParameterizedTest(name = "{0} imatrix={1}")
    @CsvSource(delimiter = '|', textBlock = """
            Q4_0   | false | Q4_0 724, Q6_K 1
            Q4_0   | true  | Q4_0 713, Q4_1 11, Q6_K 1
            Q4_1   | true  | Q4_1 724, Q6_K 1
            Q5_0   | false | Q5_0 724, Q6_K 1
            Q5_0   | true  | Q5_0 713, Q5_1 11, Q6_K 1
            Q5_1   | false | Q5_1 724, Q6_K 1
            IQ4_NL | false | IQ4_NL 713, Q5_K 11, Q6_K 1
            IQ4_NL | true  | IQ4_NL 724, Q6_K 1
            IQ4_XS | false | IQ4_XS 652, IQ4_NL 61, Q5_K 11, Q6_K 1
            IQ4_XS | true  | IQ4_XS 663, IQ4_NL 61, Q6_K 1
            """)
    void mlaHistograms(String variant, boolean importance, String histogram) {
        RecipePlan plan = Recipes.resolve(variant).plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, importance);
        Map<GgmlType, Integer> expected = MixtureTableTest.histogram("F32 361, " + histogram);
        assertEquals(expected, plan.histogram());
        assertEquals(variant, plan.assignment("blk.0.ffn_down.weight").decidedBy());
    }

    @ParameterizedTest(name = "{0} imatrix={1}")
    @CsvSource({"Q4_0, true, Q4_1, Q4_0", "Q5_0, true, Q5_1, Q5_0", "IQ4_XS, false, Q5_K, IQ4_XS",
            "IQ4_NL, false, Q5_K, IQ4_NL", "Q4_0, false, Q4_0, Q4_0", "IQ4_XS, true, IQ4_XS, IQ4_XS"})
    void theFirstEighthOfFfnDownIsGuarded(String variant, boolean importance, GgmlType first, GgmlType later) {
        RecipePlan plan = Recipes.resolve(variant).plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, importance);
        for (String name : List.of("blk.0.ffn_down.weight", "blk.2.ffn_down.weight", "blk.6.ffn_down_exps.weight",
                "blk.6.ffn_down_shexp.weight")) {
            assertEquals(first, plan.assignment(name).type(), name);
        }
        for (String name : List.of("blk.7.ffn_down_exps.weight", "blk.7.ffn_down_shexp.weight", "blk.60.ffn_down_exps.weight")) {
            assertEquals(later, plan.assignment(name).type(), name);
        }
        assertEquals(GgmlType.Q6_K, plan.assignment("output.weight").type());
        assertEquals(Recipes.resolve(variant).base().defaultType(), plan.assignment("token_embd.weight").type());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"IQ4_XS, IQ4_XS", "IQ4_NL, IQ4_NL", "Q4_0, Q4_0"})
    void legacyAttnKvBKeepsTheBaseWithOneKvHeadPerHead(String variant, GgmlType type) {
        RecipePlan plan = Recipes.resolve(variant).plan(DeepSeekV3Tensors.legacy(), DeepSeekV3Tensors.LEGACY_FACTS, true);
        assertEquals(type, plan.assignment("blk.0.attn_kv_b.weight").type());
        assertEquals(type, plan.assignment("blk.60.attn_kv_b.weight").type());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"IQ4_XS", "IQ4_NL"})
    void attnVLikeTensorsOfAGroupedQueryModelGetQ5K(String variant) {
        RecipeTensor v = RecipeTensor.of("blk.0.attn_v.weight", GgmlType.F16, 4096, 1024);
        RecipeTensor q = RecipeTensor.of("blk.0.attn_q.weight", GgmlType.F16, 4096, 4096);
        RecipePlan plan = Recipes.resolve(variant).plan(List.of(v, q), new ModelFacts(1, 0, 4), false);
        assertEquals(GgmlType.Q5_K, plan.assignment(v.name()).type());
        assertEquals(GgmlType.parse(variant), plan.assignment(q.name()).type());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"pure:Q4_0, Q4_0", "pure:IQ4_XS, IQ4_XS"})
    void thePureTypeHasNoMixture(String variant, GgmlType type) {
        RecipePlan plan = Recipes.resolve(variant).plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, true);
        assertEquals(type, plan.assignment("output.weight").type());
        assertEquals(type, plan.assignment("blk.0.ffn_down.weight").type());
    }
}
