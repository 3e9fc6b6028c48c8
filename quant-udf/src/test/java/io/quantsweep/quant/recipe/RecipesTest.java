package io.quantsweep.quant.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.recipe.RecipeException.Reason;
import io.quantsweep.quant.recipe.TensorAssignment.Decision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Variant lookup, pure variants and the mixture rules on small models. */
class RecipesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Q4_K_M       | Q4_K_M
            q4_k_m       | Q4_K_M
            Q4_K         | Q4_K_M
            Q3_K         | Q3_K_M
            q5_k         | Q5_K_M
            Q6_K         | Q6_K
            Q8_0         | Q8_0
            DQ3_K_M      | DQ3_K_M
            q2_k_l       | Q2_K_L
            pure:Q4_K    | pure:Q4_K
            PURE:q6_k    | pure:Q6_K
            Q4_0         | Q4_0
            iq4_xs       | IQ4_XS
            pure:q4_0    | pure:Q4_0
            IQ4_NL       | IQ4_NL
            f16          | pure:F16
            BF16         | pure:BF16
            """)
    void resolvesNamesAliasesBuiltInsAndPureTypes(String variant, String name) {
        assertEquals(name, Recipes.resolve(variant).name());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Q7_K         | UNKNOWN_VARIANT
            DQ2_K_M      | UNKNOWN_VARIANT
            pure:Q7_K    | UNKNOWN_TYPE
            pure:IQ2_XXS | UNSUPPORTED_TYPE
            Q8_K         | UNSUPPORTED_TYPE
            """)
    void refusesUnknownVariants(String variant, Reason reason) {
        RecipeException e = assertThrows(RecipeException.class, () -> Recipes.resolve(variant));
        assertEquals(reason, e.reason(), e.getMessage());
        String type = variant.replace("pure:", "");
        assertTrue(e.getMessage().contains(type), e.getMessage());
    }

    @Test
    void pureQ4KGivesEveryQuantizableTensorQ4KAndFallsBackForAttnKB() {
        RecipePlan plan = Recipes.resolve("pure:Q4_K").plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, false);
        assertEquals(Map.of(GgmlType.F32, 361, GgmlType.Q4_K, 664, GgmlType.Q5_0, 61), plan.histogram());
        assertEquals(GgmlType.Q4_K, plan.assignment("output.weight").type());
        assertEquals(GgmlType.Q4_K, plan.assignment("token_embd.weight").type());
        assertEquals(GgmlType.Q4_K, plan.assignment("blk.7.ffn_down_exps.weight").type());
        TensorAssignment kb = plan.assignment("blk.7.attn_k_b.weight");
        assertEquals(GgmlType.Q4_K, kb.chosen());
        assertEquals(GgmlType.Q5_0, kb.type());
        assertTrue(kb.fellBack());
        assertEquals(Decision.BASE, kb.decision());
        assertEquals("pure:Q4_K", kb.decidedBy());
    }

    @Test
    void pureQ8_0IsTheQ8_0Mixture() {
        RecipePlan pure = Recipes.resolve("pure:Q8_0").plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, false);
        RecipePlan mixture = Recipes.resolve("Q8_0").plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, false);
        assertEquals(713_281_210_368L, pure.totalBytes());
        assertEquals(mixture.histogram(), pure.histogram());
    }

    @ParameterizedTest
    @CsvSource({"F16", "BF16"})
    void pureFloatTypesAreTheConvertersSize(String variant) {
        RecipePlan plan = Recipes.resolve(variant).plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, false);
        assertEquals(Map.of(GgmlType.F32, 361, GgmlType.parse(variant), 725), plan.histogram());
        assertEquals(1_342_267_742_208L, plan.totalBytes(), "deepseek-v3-gguf.md §2.3, BF16 GGUF");
    }

    @Test
    void fallbackTypeThatStillDoesNotDivideBecomesF16() {
        RecipeTensor odd = RecipeTensor.of("blk.0.attn_q.weight", GgmlType.F32, 48, 64);
        RecipePlan plan = Recipes.resolve("pure:Q4_K").plan(List.of(odd), new ModelFacts(1, 0, 1), false);
        assertEquals(GgmlType.F16, plan.assignment(odd.name()).type());
        assertEquals(GgmlType.Q4_K, plan.assignment(odd.name()).chosen());
    }

    @Test
    void aTypeWithoutFallbackIsRefused() {
        RecipeTensor odd = RecipeTensor.of("blk.0.attn_q.weight", GgmlType.F32, 48, 64);
        RecipeException e = assertThrows(RecipeException.class,
                () -> Recipes.resolve("Q4_0").plan(List.of(odd), new ModelFacts(1, 0, 1), false));
        assertEquals(Reason.NO_FALLBACK, e.reason());
        assertTrue(e.getMessage().contains("blk.0.attn_q.weight"), e.getMessage());
    }

    /** A small dense llama-like model; without output.weight the embeddings are tied. */
    private static List<RecipeTensor> dense(int layers, boolean withOutput) {
        List<RecipeTensor> t = new ArrayList<>();
        t.add(RecipeTensor.of("token_embd.weight", GgmlType.F16, 256, 1000));
        if (withOutput) {
            t.add(RecipeTensor.of("output.weight", GgmlType.F16, 256, 1000));
        }
        t.add(RecipeTensor.of("output_norm.weight", GgmlType.F32, 256));
        for (int i = 0; i < layers; i++) {
            String p = "blk." + i + ".";
            t.add(RecipeTensor.of(p + "attn_norm.weight", GgmlType.F32, 256));
            t.add(RecipeTensor.of(p + "attn_q.weight", GgmlType.F16, 256, 256));
            t.add(RecipeTensor.of(p + "attn_k.weight", GgmlType.F16, 256, 64));
            t.add(RecipeTensor.of(p + "attn_v.weight", GgmlType.F16, 256, 64));
            t.add(RecipeTensor.of(p + "attn_output.weight", GgmlType.F16, 256, 256));
            t.add(RecipeTensor.of(p + "ffn_gate.weight", GgmlType.F16, 256, 512));
            t.add(RecipeTensor.of(p + "ffn_up.weight", GgmlType.F16, 256, 512));
            t.add(RecipeTensor.of(p + "ffn_down.weight", GgmlType.F16, 512, 256));
        }
        return t;
    }

    @Test
    void tiedEmbeddingsGetTheOutputRule() {
        RecipePlan tied = Recipe.of(Mixture.Q4_K_M).plan(dense(2, false), new ModelFacts(2, 0, 4), false);
        assertEquals(GgmlType.Q6_K, tied.assignment("token_embd.weight").type());
        RecipePlan untied = Recipe.of(Mixture.Q4_K_M).plan(dense(2, true), new ModelFacts(2, 0, 4), false);
        assertEquals(GgmlType.Q4_K, untied.assignment("token_embd.weight").type());
        assertEquals(GgmlType.Q6_K, untied.assignment("output.weight").type());

        // as llama-quantize's --output-tensor-type, an output override types tied embeddings, after the rules
        Recipe withOutput = new Recipe("o", SourceLine.of("o"), "", Mixture.Q4_K_M, List.of(), Optional.empty(),
                Optional.of(new TypeOverride(GgmlType.Q8_0, new SourceLine("o.yaml", 2))));
        TensorAssignment embd = withOutput.plan(dense(2, false), new ModelFacts(2, 0, 4), false).assignment("token_embd.weight");
        assertEquals(GgmlType.Q8_0, embd.type());
        assertEquals("o.yaml:2", embd.decidedBy());
        assertEquals(GgmlType.Q4_K, withOutput.plan(dense(2, true), new ModelFacts(2, 0, 4), false)
                .assignment("token_embd.weight").type(), "untied: the output override is the output's alone");
    }

    @Test
    void denseModelsCountFfnDownAndAttnVInOrder() {
        // 8 layers: use_more_bits(i, 8) is true for 0, 3, 6, 7; Q4_K_S gives Q5_K to the first 4 attn_v
        RecipePlan m = Recipe.of(Mixture.Q4_K_M).plan(dense(8, true), new ModelFacts(8, 0, 4), false);
        RecipePlan s = Recipe.of(Mixture.Q4_K_S).plan(dense(8, true), new ModelFacts(8, 0, 4), false);
        RecipePlan q2 = Recipe.of(Mixture.Q2_K).plan(dense(8, true), new ModelFacts(8, 0, 4), false);
        for (int i = 0; i < 8; i++) {
            boolean more = i == 0 || i == 3 || i == 6 || i == 7;
            assertEquals(more ? GgmlType.Q6_K : GgmlType.Q4_K, m.assignment("blk." + i + ".ffn_down.weight").type());
            assertEquals(more ? GgmlType.Q6_K : GgmlType.Q4_K, m.assignment("blk." + i + ".attn_v.weight").type());
            assertEquals(i < 4 ? GgmlType.Q5_K : GgmlType.Q4_K, s.assignment("blk." + i + ".attn_v.weight").type());
            assertEquals(i < 1 ? GgmlType.Q5_K : GgmlType.Q4_K, s.assignment("blk." + i + ".ffn_down.weight").type());
            assertEquals(GgmlType.Q4_K, q2.assignment("blk." + i + ".attn_v.weight").type(), "n_gqa 4");
            assertEquals(GgmlType.Q4_K, m.assignment("blk." + i + ".attn_k.weight").type());
        }
    }

    @Test
    void eightExpertModelsGetLlamaCppsBumps() {
        List<RecipeTensor> t = new ArrayList<>(dense(2, true));
        RecipePlan plan = Recipe.of(Mixture.Q4_K_M).plan(t, new ModelFacts(2, 8, 4), false);
        assertEquals(GgmlType.Q8_0, plan.assignment("blk.1.attn_v.weight").type());
        assertEquals(GgmlType.Q8_0, plan.assignment("blk.1.attn_k.weight").type());
        assertEquals(GgmlType.Q5_K, plan.assignment("blk.1.attn_output.weight").type());
        assertEquals(GgmlType.Q4_K, plan.assignment("blk.1.attn_q.weight").type());
    }

    @Test
    void aMoeFfnTensorOutsideTheLayersIsRefused() {
        List<RecipeTensor> t = new ArrayList<>(DeepSeekV3Tensors.mla());
        t.add(RecipeTensor.of("blk.61.ffn_down_exps.weight", GgmlType.BF16, 2048, 7168, 256));
        RecipeException e = assertThrows(RecipeException.class,
                () -> Recipe.of(Mixture.Q4_K_M).plan(t, DeepSeekV3Tensors.MLA_FACTS, false));
        assertEquals(Reason.BAD_TENSOR_LAYER, e.reason());
        assertTrue(e.getMessage().contains("blk.61.ffn_down_exps.weight"), e.getMessage());
        // a rule decides it without the mixture's layer lookup, as in llama-quantize
        Recipe pinned = new Recipe("pinned", SourceLine.of("test"), "", Mixture.Q4_K_M,
                List.of(new Rule(Pattern.compile("^blk\\.61\\."), LayerSet.ANY, GgmlType.Q4_K,
                        SourceLine.of("test"))),
                Optional.empty(), Optional.empty());
        assertEquals(GgmlType.Q4_K, pinned.plan(t, DeepSeekV3Tensors.MLA_FACTS, false)
                .assignment("blk.61.ffn_down_exps.weight").type());
    }

    @Test
    void duplicateTensorNamesAreRefused() {
        List<RecipeTensor> t = new ArrayList<>(dense(1, true));
        t.add(t.get(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Recipe.of(Mixture.Q8_0).plan(t, new ModelFacts(1, 0, 1), false));
        assertTrue(e.getMessage().contains(t.get(3).name()), e.getMessage());
    }

    @Test
    void tensorFacts() {
        RecipeTensor exps = RecipeTensor.of("blk.12.ffn_down_exps.weight", GgmlType.BF16, 2048, 7168, 256);
        assertEquals(12, exps.layer());
        assertEquals(3, exps.nDims());
        assertEquals(2048L * 7168 * 256, exps.elements());
        assertTrue(exps.quantizable());
        assertEquals(-1, RecipeTensor.of("token_embd.weight", GgmlType.F16, 8, 8).layer());
        assertEquals(-1, RecipeTensor.of("blk.x.attn_q.weight", GgmlType.F16, 8, 8).layer());
        RecipeTensor column = RecipeTensor.of("blk.0.attn_q.weight", GgmlType.F16, 4096, 1, 1);
        assertEquals(1, column.nDims());
        assertFalse(column.quantizable(), "ggml_n_dims ignores trailing 1s");
        assertFalse(RecipeTensor.of("blk.3.ffn_gate_inp.weight", GgmlType.F32, 7168, 256).quantizable());
        assertFalse(RecipeTensor.of("blk.3.attn_kv_a_norm.weight", GgmlType.F32, 512, 2).quantizable());
        assertFalse(RecipeTensor.of("blk.3.exp_probs_b.bias", GgmlType.F32, 256, 2).quantizable());
        assertThrows(IllegalArgumentException.class, () -> RecipeTensor.of("x", GgmlType.F16, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> RecipeTensor.of("x", GgmlType.F16, 1, 2, 3, 4, 5));
    }

    @Test
    void layerSets() {
        LayerSet set = LayerSet.parse("0-6, 9-51/3,53-60");
        assertEquals(30, IntStream.range(0, 61).filter(set::contains).count());
        assertFalse(set.contains(-1));
        assertTrue(LayerSet.ANY.contains(-1));
        assertThrows(IllegalArgumentException.class, () -> LayerSet.parse(""));
        assertThrows(IllegalArgumentException.class, () -> LayerSet.parse("1,,2"));
        assertThrows(IllegalArgumentException.class, () -> LayerSet.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> LayerSet.parse("2000000"));
    }
}
