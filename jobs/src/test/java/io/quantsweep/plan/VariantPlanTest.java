package io.quantsweep.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.RealModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** DeepSeek-V3 671B planned from its real config and tokenizer against the spec's and the paper's sizes. */
class VariantPlanTest {
    private static ModelInput exact;
    private static Path exactDir;

    @BeforeAll
    static void readModel(@TempDir Path dir) throws IOException {
        Path model = Files.createDirectory(dir.resolve("deepseek-v3"));
        RealModelFiles.modelDirectory(model);
        exactDir = model;
        exact = ModelInput.read(RealModelFiles.fs(), RealModelFiles.hadoop(model), MlaLayout.SPLIT);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Q2_K   | 244142971904
            Q3_K_M | 319261053440
            Q4_K_M | 404488847360
            """)
    void tensorBytesMatchTheSpec(String variant, long bytes) {
        VariantPlan p = VariantPlan.plan(exact, variant, PlanOptions.DEFAULT);
        assertEquals(bytes, p.tensorBytes());
        assertEquals(671_026_419_200L, p.parameterCount());
        assertTrue(p.exact());
        Path cfgOnly = exactDir.resolveSibling("cfg");
        try { Files.createDirectories(cfgOnly); Files.copy(exactDir.resolve("config.json"), cfgOnly.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ModelInput est = ModelInput.read(RealModelFiles.fs(), RealModelFiles.hadoop(cfgOnly), MlaLayout.SPLIT);
        VariantPlan e = VariantPlan.plan(est, variant, PlanOptions.DEFAULT);
        System.out.println("no-tok header " + (e.headerBytes() - e.estimatedTokenizerBytes()) + " exact-md-size " + (p.shards().get(0).dataOffset()));
        } catch (IOException x) { throw new RuntimeException(x); }
        System.out.println(variant + " header " + p.headerBytes() + " file " + p.fileBytes() + " GiB " + p.fileBytes() / (double) (1L << 30));
    }
}
