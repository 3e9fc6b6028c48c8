package io.quantsweep.quant.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.recipe.RecipeException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Recipe files: what a good one reads as, and every kind of bad one refused with file and line. */
class RecipeFilesTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void readsEveryKey() throws IOException {
        Path file = write("mine.yaml", """
                description: a test
                base: q4_k
                token_embedding: q8_0
                output: Q6_K
                rules:
                  - tensor: 'attn_k_b'
                    type: Q8_0
                  - tensor: ffn_down_exps
                    layers: [3-4, 10-20/5]
                    type: q6_K
                  - tensor: ffn_down_exps
                    layers: 7
                    type: F16
                """);
        Recipe r = RecipeFiles.load(file);
        assertEquals("mine", r.name());
        assertEquals("a test", r.description());
        assertEquals(Mixture.Q4_K_M, r.base());
        assertEquals(GgmlType.Q8_0, r.tokenEmbedding().orElseThrow().type());
        assertEquals(new SourceLine(file.toString(), 3), r.tokenEmbedding().orElseThrow().at());
        assertEquals(GgmlType.Q6_K, r.output().orElseThrow().type());
        assertEquals(3, r.rules().size());
        Rule second = r.rules().get(1);
        assertEquals(new SourceLine(file.toString(), 8), second.at());
        assertEquals(GgmlType.Q6_K, second.type());
        for (int layer : new int[] {3, 4, 10, 15, 20}) {
            assertTrue(second.layers().contains(layer), "layer " + layer);
        }
        for (int layer : new int[] {-1, 2, 5, 11, 25}) {
            assertTrue(!second.layers().contains(layer), "layer " + layer);
        }
        assertTrue(second.matches(RecipeTensor.of("blk.15.ffn_down_exps.weight", GgmlType.BF16, 2048, 7168, 256)));
        assertTrue(!second.matches(RecipeTensor.of("blk.16.ffn_down_exps.weight", GgmlType.BF16, 2048, 7168, 256)));
        assertEquals(GgmlType.F16, r.rules().get(2).type());
    }

    @Test
    void pureBaseAndNoRules() throws IOException {
        Recipe r = RecipeFiles.load(write("p.yml", "base: pure:iq4_xs\n"));
        assertEquals("p", r.name());
        assertEquals(new PureType(GgmlType.IQ4_XS), r.base());
        assertTrue(r.rules().isEmpty() && r.output().isEmpty() && r.tokenEmbedding().isEmpty());
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("base: Q2_K\nrules:\n  - tensor: x\n    type: Q7_K\n", Reason.UNKNOWN_TYPE, 4),
                Arguments.of("base: Q2_K\noutput: IQ2_XXS\n", Reason.UNSUPPORTED_TYPE, 2),
                Arguments.of("base: Q2_K\nrules:\n  - tensor: 'ffn_(down'\n    type: Q4_K\n", Reason.BAD_REGEX, 3),
                Arguments.of("base: Q2_K\nrules:\n  - tensor: ''\n    type: Q4_K\n", Reason.BAD_REGEX, 3),
                Arguments.of("base: Q2_K\nrules:\n  - tensor: x\n    layers: 9-3\n    type: Q4_K\n", Reason.BAD_LAYERS, 4),
                Arguments.of("base: Q2_K\nrules:\n  - tensor: x\n    layers: 1-9/0\n    type: Q4_K\n", Reason.BAD_LAYERS, 4),
                Arguments.of("base: Q2_K\nrules:\n  - tensor: x\n    layers: [1, last]\n    type: Q4_K\n", Reason.BAD_LAYERS, 4),
                Arguments.of("base: Q2_K\nrules:\n  - tensr: x\n    type: Q4_K\n", Reason.UNKNOWN_KEY, 3),
                Arguments.of("description: no base\n", Reason.MISSING_KEY, 1),
                Arguments.of("base: Q2_K\nrules:\n  - tensor: x\n", Reason.MISSING_KEY, 3),
                Arguments.of("\n", Reason.MISSING_KEY, 1),
                Arguments.of("base: Q2_K\nbase: Q3_K_M\n", Reason.DUPLICATE_KEY, 2),
                Arguments.of("base: Q2_K\nrules: [\n  {tensor: x, type: Q4_K}\n", Reason.BAD_YAML, 4),
                Arguments.of("base: Q2_K\nrules:\n  tensor: x\n", Reason.BAD_YAML, 3),
                Arguments.of("base: [Q2_K]\n", Reason.BAD_YAML, 1),
                Arguments.of("- base: Q2_K\n", Reason.BAD_YAML, 1),
                Arguments.of("base: Q2_K\n---\nbase: Q3_K_M\n", Reason.BAD_YAML, 2),
                Arguments.of("base: Q9_K_M\n", Reason.UNKNOWN_BASE, 1),
                Arguments.of("base: pure:Q7_K\n", Reason.UNKNOWN_TYPE, 1),
                Arguments.of("base: pure:F16\nrules:\n  - tensor: x\n    type: Q4_K\n", Reason.RULES_NEED_QUANTIZED_BASE, 3));
    }

    @ParameterizedTest
    @MethodSource("badFiles")
    void badRecipesAreRefusedWithFileAndLine(String text, Reason reason, int line) throws IOException {
        Path file = write("bad.yaml", text);
        RecipeException e = assertThrows(RecipeException.class, () -> RecipeFiles.load(file));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(new SourceLine(file.toString(), line), e.at(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ":" + line + ": "), e.getMessage());
    }

    @Test
    void aMissingFileIsRefusedByName() {
        Path file = dir.resolve("absent.yaml");
        RecipeException e = assertThrows(RecipeException.class, () -> Recipes.resolve(file.toString()));
        assertEquals(Reason.IO, e.reason());
        assertTrue(e.getMessage().startsWith(file + ": no such recipe file"), e.getMessage());
    }

    @Test
    void aRuleTypeThatDoesNotDivideARowIsRefusedAtItsLine() throws IOException {
        Path file = write("kb.yaml", """
                base: Q4_K_M
                rules:
                  - tensor: 'attn_v_b'
                    type: Q4_K
                  - tensor: 'attn_.*'
                    type: Q6_K
                """);
        Recipe r = RecipeFiles.load(file);
        RecipeException e = assertThrows(RecipeException.class,
                () -> r.plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, false));
        assertEquals(Reason.ROW_NOT_DIVISIBLE, e.reason());
        assertEquals(new SourceLine(file.toString(), 5), e.at());
        assertTrue(e.getMessage().contains("blk.0.attn_k_b.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("128"), e.getMessage());
    }

    @Test
    void anOverrideTypeThatDoesNotDivideTheRowIsRefusedAtItsLine() throws IOException {
        Path file = write("head.yaml", "base: Q4_K_M\noutput: Q4_K\n");
        Recipe r = RecipeFiles.load(file);
        RecipeTensor odd = RecipeTensor.of("output.weight", GgmlType.BF16, 96, 10);
        RecipeException e = assertThrows(RecipeException.class,
                () -> r.plan(List.of(odd), new ModelFacts(1, 0, 1), false));
        assertEquals(Reason.ROW_NOT_DIVISIBLE, e.reason());
        assertEquals(new SourceLine(file.toString(), 2), e.at());
    }

    @Test
    void rulesThatDecideNoTensorAreNamedByLine() throws IOException {
        Path file = write("typo.yaml", """
                base: Q3_K_M
                token_embedding: Q8_0
                rules:
                  - tensor: 'ffn_down_exp\\.weight$'
                    type: Q6_K
                  - tensor: 'ffn_down_exps\\.weight$'
                    layers: 61-70
                    type: Q6_K
                  - tensor: 'attn_output\\.weight$'
                    type: Q6_K
                  - tensor: 'attn_output'
                    type: Q8_0
                """);
        RecipePlan plan = RecipeFiles.load(file).plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, false);
        assertEquals(List.of(new SourceLine(file.toString(), 4), new SourceLine(file.toString(), 6),
                new SourceLine(file.toString(), 11)), plan.idleRules(), "a typo, absent layers, a hidden rule");
        assertEquals(List.of(), Recipes.resolve("Q4_K_M").plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, false)
                .idleRules());
    }
}
