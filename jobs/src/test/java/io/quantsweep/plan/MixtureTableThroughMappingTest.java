package io.quantsweep.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.recipe.DeepSeekV3MixtureTable;
import io.quantsweep.quant.recipe.Mixture;
import io.quantsweep.quant.recipe.Recipes;
import io.quantsweep.quant.recipe.TensorAssignment.Decision;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every mixture's type for every DeepSeek-V3 671B tensor, reached through the shipped config and the
 * real mapping (not a hand-built tensor list), against deepseek-v3-gguf.md §3.6
 * ({@link DeepSeekV3MixtureTable}), and every variant's {@code general.file_type}.
 */
class MixtureTableThroughMappingTest {
    private static final ModelInput MODEL = PlanFixtures.shipped(MlaLayout.SPLIT);

    @ParameterizedTest
    @EnumSource(value = Mixture.class, names = {"Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S",
            "Q5_K_M", "Q6_K", "Q8_0"})
    void everyTensorGetsTheTablesType(Mixture mixture) {
        VariantPlan p = VariantPlan.plan(MODEL, mixture.name(), PlanOptions.DEFAULT);
        Set<String> kinds = new HashSet<>();
        for (PlannedTensor t : p.tensors()) {
            if (t.tensor().alwaysF32()) {
                assertEquals(GgmlType.F32, t.type(), t.name());
                assertEquals(Decision.KEPT, t.decision(), t.name());
                continue;
            }
            assertEquals(DeepSeekV3MixtureTable.expected(mixture, t.name()), t.type(), mixture + " " + t.name());
            assertEquals(Decision.BASE, t.decision(), t.name());
            kinds.add(DeepSeekV3MixtureTable.kind(t.name()));
        }
        assertEquals(DeepSeekV3MixtureTable.kinds(), kinds);
        assertEquals(361, p.tensors().stream().filter(t -> t.tensor().alwaysF32()).count());
    }

    /** llama.h's ids; a recipe writes its base mixture's, a pure type the ftype llama-quantize is given for it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Q2_K        | 10
            Q3_K_S      | 11
            Q3_K_M      | 12
            Q3_K_L      | 13
            Q4_K_S      | 14
            Q4_K_M      | 15
            Q5_K_S      | 16
            Q5_K_M      | 17
            Q6_K        | 18
            Q8_0        | 7
            Q4_K        | 15
            DQ3_K_M     | 12
            Q2_K_L      | 10
            pure:Q2_K   | 10
            pure:Q3_K   | 12
            pure:Q4_K   | 15
            pure:Q5_K   | 17
            pure:Q6_K   | 18
            pure:Q8_0   | 7
            Q4_0        | 2
            Q4_1        | 3
            Q5_0        | 8
            Q5_1        | 9
            IQ4_NL      | 25
            IQ4_XS      | 30
            F16         | 1
            BF16        | 32
            F32         | 0
            """)
    void fileTypeIsLlamaQuantizesId(String variant, int id) {
        assertEquals(id, LlamaFileType.of(Recipes.resolve(variant).base()).id());
    }

    @Test
    void anImportanceMatrixGuardsQ4_0sFirstFfnDownLayersAsLlamaQuantizeDoes() {
        PlanOptions withImatrix = PlanOptions.DEFAULT.withImatrix(new ImatrixProvenance("imatrix.gguf", List.of("calib.txt"), 1, 1));
        VariantPlan without = VariantPlan.plan(MODEL, "Q4_0", PlanOptions.DEFAULT);
        VariantPlan with = VariantPlan.plan(MODEL, "Q4_0", withImatrix);
        for (String name : List.of("blk.0.ffn_down.weight", "blk.6.ffn_down_exps.weight")) {
            assertEquals(GgmlType.Q4_0, type(without, name), name);
            assertEquals(GgmlType.Q4_1, type(with, name), name);
        }
        assertEquals(GgmlType.Q4_0, type(with, "blk.7.ffn_down_exps.weight"));
        assertEquals(GgmlType.Q6_K, type(with, "output.weight"));
        assertEquals(2, with.metadata().get("general.file_type").orElseThrow().asLong());
    }

    private static GgmlType type(VariantPlan p, String name) {
        return p.tensors().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow().type();
    }

    @Test
    void theMixturesFileTypeIsInTheKeys() {
        VariantPlan p = VariantPlan.plan(MODEL, "Q5_K_S", PlanOptions.DEFAULT);
        assertEquals(16, p.metadata().get("general.file_type").orElseThrow().asLong());
    }
}
