package io.quantsweep.quant.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.recipe.TensorAssignment.Decision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** llama.cpp's ten K-quant mixtures on DeepSeek-V3 671B against deepseek-v3-gguf.md §3.6 ({@link DeepSeekV3MixtureTable}). */
class MixtureTableTest {

    @Test
    void tensorListMatchesTheSpecCounts() {
        List<RecipeTensor> mla = DeepSeekV3Tensors.mla();
        assertEquals(1086, mla.size());
        assertEquals(361, mla.stream().filter(t -> t.type() == GgmlType.F32).count());
        assertEquals(725, mla.stream().filter(RecipeTensor::quantizable).count());
        assertEquals(671_026_419_200L, mla.stream().mapToLong(RecipeTensor::elements).sum());
        assertEquals(1025, DeepSeekV3Tensors.legacy().size());
    }

    @ParameterizedTest
    @EnumSource(value = Mixture.class, names = {"Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S",
            "Q5_K_M", "Q6_K", "Q8_0"})
    void everyTensorKindMatchesTheTable(Mixture mixture) {
        RecipePlan plan = Recipe.of(mixture).plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, false);
        assertEquals(1086, plan.tensors().size());
        for (TensorAssignment a : plan.tensors()) {
            RecipeTensor t = a.tensor();
            if (!t.quantizable()) {
                assertEquals(GgmlType.F32, a.type(), t.name());
                assertEquals(Decision.KEPT, a.decision(), t.name());
                continue;
            }
            assertEquals(DeepSeekV3MixtureTable.expected(mixture, t.name()), a.type(), mixture + " " + t.name());
            assertEquals(Decision.BASE, a.decision(), t.name());
            assertEquals(mixture.name(), a.decidedBy());
            assertEquals(DeepSeekV3MixtureTable.kind(t.name()).equals("attn_k_b") && a.type() != mixture.defaultType(),
                    a.fellBack(), t.name());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Q2_K   | 244142971904 | F32 361, Q2_K 483, Q3_K 180, Q4_0 61, Q6_K 1
            Q3_K_S | 289145246208 | F32 361, Q3_K 663, Q4_0 61, Q6_K 1
            Q3_K_M | 319261053440 | F32 361, Q3_K 483, Q4_K 177, Q5_K 3, Q4_0 61, Q6_K 1
            Q3_K_L | 347509166592 | F32 361, Q3_K 483, Q5_K 180, Q4_0 61, Q6_K 1
            Q4_K_S | 380060532736 | F32 361, Q4_K 652, Q5_K 11, Q5_0 61, Q6_K 1
            Q4_K_M | 404488847360 | F32 361, Q4_K 606, Q6_K 58, Q5_0 61
            Q5_K_S | 461841653760 | F32 361, Q5_K 663, Q5_1 61, Q6_K 1
            Q5_K_M | 475423236096 | F32 361, Q5_K 606, Q6_K 58, Q5_1 61
            Q6_K   | 550916951552 | F32 361, Q6_K 664, Q8_0 61
            Q8_0   | 713281210368 | F32 361, Q8_0 725
            """)
    void totalsAndHistogramsMatchTheSpec(Mixture mixture, long bytes, String histogram) {
        RecipePlan plan = Recipe.of(mixture).plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, false);
        assertEquals(bytes, plan.totalBytes());
        assertEquals(histogram(histogram), plan.histogram());
        assertEquals(671_026_419_200L, plan.totalElements());
    }

    @Test
    void bitsPerWeightIsTheSpecsFormula() {
        RecipePlan plan = Recipe.of(Mixture.Q4_K_M).plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, false);
        assertEquals(4.822, plan.bitsPerWeight(), 0.0005);
    }

    /**
     * Legacy GGUFs, current code: attn_kv_b is attn_v-like, so its running counter decides (n_gqa = 1).
     * Q4_K_M is the spec's figure; Q3_K_M and Q2_K are the old-code figures plus the attn_kv_b change
     * (65,536 blocks per tensor): Q3_K_M 2 × Q3_K→Q5_K + 59 × Q3_K→Q4_K = +140,115,968 B, Q2_K 61 ×
     * Q2_K→Q3_K = +103,940,096 B.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Q4_K_M | 404554645504 | F32 361, Q4_K 576, Q6_K 88
            Q3_K_M | 319333208576 | F32 361, Q3_K 422, Q4_K 236, Q5_K 5, Q6_K 1
            Q2_K   | 244126981120 | F32 361, Q2_K 422, Q3_K 241, Q6_K 1
            """)
    void legacyLayoutCurrentCode(Mixture mixture, long bytes, String histogram) {
        RecipePlan plan = Recipe.of(mixture).plan(DeepSeekV3Tensors.legacy(), DeepSeekV3Tensors.LEGACY_FACTS, false);
        assertEquals(bytes, plan.totalBytes());
        assertEquals(histogram(histogram), plan.histogram());
        for (int layer = 0; layer < DeepSeekV3Tensors.LAYERS; layer++) {
            GgmlType kvB = plan.assignment("blk." + layer + ".attn_kv_b.weight").type();
            GgmlType want = switch (mixture) {
                case Q4_K_M -> DeepSeekV3MixtureTable.M_LAYERS.contains(layer) ? GgmlType.Q6_K : GgmlType.Q4_K;
                case Q3_K_M -> layer < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
                default -> GgmlType.Q3_K;
            };
            assertEquals(want, kvB, "layer " + layer);
        }
    }

    /**
     * The old code left attn_kv_b at the default type: one rule that pins it reproduces the published
     * legacy sizes (ollama's deepseek-r1:671b Q4_K_M: F32 361 / Q4_K 606 / Q6_K 58).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Q4_K_M | 404424884224 | F32 361, Q4_K 606, Q6_K 58
            Q3_K_M | 319193092608 | F32 361, Q3_K 483, Q4_K 177, Q5_K 3, Q6_K 1
            Q2_K   | 244023041024 | F32 361, Q2_K 483, Q3_K 180, Q6_K 1
            """)
    void legacyLayoutOldCodeIsOneRule(Mixture mixture, long bytes, String histogram) {
        Rule pin = new Rule(Pattern.compile("attn_kv_b\\.weight"), LayerSet.ANY, mixture.defaultType(),
                SourceLine.of("old-code"));
        Recipe old = new Recipe("old " + mixture, SourceLine.of("test"), "", mixture, List.of(pin),
                Optional.empty(), Optional.empty());
        RecipePlan plan = old.plan(DeepSeekV3Tensors.legacy(), DeepSeekV3Tensors.LEGACY_FACTS, false);
        assertEquals(bytes, plan.totalBytes());
        assertEquals(histogram(histogram), plan.histogram());
    }

    @Test
    void useMoreBitsGivesTheSpecsThirtyLayers() {
        Set<Integer> got = IntStream.range(0, 61).filter(i -> MixtureRules.useMoreBits(i, 61)).boxed()
                .collect(Collectors.toSet());
        assertEquals(DeepSeekV3MixtureTable.M_LAYERS, got);
        assertEquals(30, got.size());
    }

    @Test
    void planIsInLlamaOrderWhateverTheInputOrder() {
        List<RecipeTensor> reversed = new ArrayList<>(DeepSeekV3Tensors.mla());
        Collections.reverse(reversed);
        RecipePlan a = Recipe.of(Mixture.Q3_K_M).plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, false);
        RecipePlan b = Recipe.of(Mixture.Q3_K_M).plan(reversed, DeepSeekV3Tensors.MLA_FACTS, false);
        assertEquals(a.tensors(), b.tensors());
        assertEquals("output.weight", a.tensors().get(0).name());
        assertEquals("output_norm.weight", a.tensors().get(1).name());
        assertEquals("token_embd.weight", a.tensors().get(2).name());
        assertEquals("blk.0.attn_k_b.weight", a.tensors().get(3).name());
        assertEquals("blk.60.ffn_up_shexp.weight", a.tensors().get(1085).name());
        assertFalse(a.tensors().stream().anyMatch(t -> t.name().startsWith("blk.61")));
        assertTrue(a.tensors().indexOf(a.assignment("blk.9.ffn_up_shexp.weight"))
                < a.tensors().indexOf(a.assignment("blk.10.attn_k_b.weight")));
    }

    /** {@code "F32 361, Q6_K 1"} as a type histogram. */
    static Map<GgmlType, Integer> histogram(String text) {
        Map<GgmlType, Integer> map = new EnumMap<>(GgmlType.class);
        Arrays.stream(text.split(",")).map(String::strip).forEach(entry -> {
            String[] kv = entry.split(" ");
            map.put(GgmlType.parse(kv[0]), Integer.parseInt(kv[1]));
        });
        return map;
    }
}
