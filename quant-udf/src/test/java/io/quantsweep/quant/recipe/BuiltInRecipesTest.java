package io.quantsweep.quant.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.recipe.TensorAssignment.Decision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The recipe files of conf/recipes: Q2_K_L and the paper's DQ3_K_M, against the sizes they claim. */
class BuiltInRecipesTest {
    private static final double GIB = 1L << 30;
    private static final Path CONF = Path.of("..", "conf", "recipes");

    private static RecipePlan plan(Recipe recipe) {
        return recipe.plan(DeepSeekV3Tensors.mla(), DeepSeekV3Tensors.MLA_FACTS, false);
    }

    @Test
    void theClasspathCarriesExactlyTheFilesOfConfRecipes() throws IOException {
        try (Stream<Path> files = Files.list(CONF)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".yaml"))
                    .map(RecipeFiles::nameOf).sorted().toList();
            assertEquals(Recipes.BUILT_IN.stream().sorted().toList(), names);
        }
        for (String name : Recipes.BUILT_IN) {
            RecipePlan fromClasspath = plan(Recipes.resolve(name));
            RecipePlan fromFile = plan(Recipes.resolve(CONF.resolve(name + ".yaml").toString()));
            assertEquals(types(fromFile), types(fromClasspath), name);
        }
    }

    @Test
    void q2KLIsQ2KWithQ8_0EmbeddingAndHead() throws IOException {
        RecipePlan q2kl = plan(Recipes.resolve("Q2_K_L"));
        RecipePlan q2k = plan(Recipe.of(Mixture.Q2_K));
        assertEquals(245_047_931_904L, q2kl.totalBytes());
        assertEquals(q2k.totalBytes() + 904_960_000L, q2kl.totalBytes());
        assertEquals(228, Math.round(q2kl.totalBytes() / GIB), "paper Table 1: 228G");
        TensorAssignment embd = q2kl.assignment("token_embd.weight");
        assertEquals(GgmlType.Q8_0, embd.type());
        assertEquals(Decision.TOKEN_EMBEDDING_OVERRIDE, embd.decision());
        assertEquals("conf/recipes/Q2_K_L.yaml:" + lineOf("Q2_K_L", "token_embedding:"), embd.decidedBy());
        assertEquals(GgmlType.Q8_0, q2kl.assignment("output.weight").type());
        assertEquals(Decision.OUTPUT_OVERRIDE, q2kl.assignment("output.weight").decision());
        for (int i = 0; i < q2k.tensors().size(); i++) {
            TensorAssignment a = q2kl.tensors().get(i);
            if (!a.name().equals("token_embd.weight") && !a.name().equals("output.weight")) {
                assertEquals(q2k.tensors().get(i).type(), a.type(), a.name());
            }
        }
    }

    @Test
    void dq3KMHasThePapersFfnDownExpsSplit() {
        RecipePlan plan = plan(Recipes.resolve("DQ3_K_M"));
        Map<GgmlType, List<Integer>> layers = new EnumMap<>(GgmlType.class);
        Map<GgmlType, Long> params = new EnumMap<>(GgmlType.class);
        long all = 0;
        for (TensorAssignment a : plan.tensors()) {
            if (DeepSeekV3MixtureTable.kind(a.name()).equals("ffn_down_exps")) {
                layers.computeIfAbsent(a.type(), k -> new ArrayList<>()).add(a.tensor().layer());
                params.merge(a.type(), a.tensor().elements(), Long::sum);
                all += a.tensor().elements();
                assertEquals(Decision.RULE, a.decision());
                assertTrue(a.decidedBy().startsWith("conf/recipes/DQ3_K_M.yaml:"), a.decidedBy());
            }
        }
        assertEquals(List.of(3, 4), layers.get(GgmlType.Q6_K));
        assertEquals(List.of(5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60), layers.get(GgmlType.Q4_K));
        assertEquals(44, layers.get(GgmlType.Q3_K).size());
        assertEquals(3, layers.size());
        assertEquals(3.4, percent(params.get(GgmlType.Q6_K), all));
        assertEquals(20.7, percent(params.get(GgmlType.Q4_K), all));
        assertEquals(75.9, percent(params.get(GgmlType.Q3_K), all));
    }

    @Test
    void dq3KMMatchesThePapersSize() {
        RecipePlan plan = plan(Recipes.resolve("DQ3_K_M"));
        assertEquals(301_446_681_088L, plan.totalBytes());
        long file = plan.totalBytes() + 5_000_000L; // + the tokenizer and other metadata
        assertEquals(281, Math.round(file / GIB), "paper Table 1: 281G");
        assertEquals(359, Math.round(plan.bitsPerWeight() * 100), "paper Table 1: 3.59");
    }

    @Test
    void dq3KMChangesOnlyWhatItsFileSays() {
        RecipePlan dq3 = plan(Recipes.resolve("DQ3_K_M"));
        RecipePlan q3km = plan(Recipe.of(Mixture.Q3_K_M));
        for (int i = 0; i < dq3.tensors().size(); i++) {
            TensorAssignment a = dq3.tensors().get(i);
            String kind = DeepSeekV3MixtureTable.kind(a.name());
            if (kind.equals("ffn_down_exps")) {
                continue;
            }
            boolean upgraded = kind.equals("attn_output") || kind.equals("ffn_gate") || kind.equals("ffn_up")
                    || kind.equals("ffn_down");
            assertEquals(upgraded ? GgmlType.Q6_K : q3km.tensors().get(i).type(), a.type(), a.name());
            assertEquals(upgraded ? Decision.RULE : q3km.tensors().get(i).decision(), a.decision(), a.name());
        }
    }

    /** The 1-based line of conf/recipes/NAME.yaml that starts with {@code prefix}. */
    private static int lineOf(String name, String prefix) throws IOException {
        List<String> lines = Files.readAllLines(CONF.resolve(name + ".yaml"));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i + 1;
            }
        }
        throw new AssertionError(prefix + " not in " + name);
    }

    private static double percent(long part, long all) {
        return Math.round(part * 1000.0 / all) / 10.0;
    }

    private static Map<String, GgmlType> types(RecipePlan plan) {
        return plan.tensors().stream().collect(Collectors.toMap(TensorAssignment::name, TensorAssignment::type));
    }
}
