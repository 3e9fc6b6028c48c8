package io.quantsweep.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.MlaLayout;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** KV cache sizes, deployment targets and the per-device fit, with hand-checked numbers. */
class MemoryFitTest {
    private static final ModelInput MODEL = PlanFixtures.shipped(MlaLayout.SPLIT);
    private static final double GIB = 1L << 30;

    /** 61 layers × 576 values × 2 bytes × 32,768 tokens; 61 × 128 × (192 + 128) × 2 × 32,768. */
    @Test
    void deepSeekCachesAtThirtyTwoThousandTokens() {
        KvCache kv = KvCache.of(MODEL.metadata());
        assertEquals(new KvCache(61, 128, 512, 64, 192, 128), kv);
        assertEquals(576, kv.valuesPerTokenAndLayer(KvCache.Kind.MLA));
        assertEquals(40_960, kv.valuesPerTokenAndLayer(KvCache.Kind.FULL));
        assertEquals(2_302_672_896L, kv.bytes(KvCache.Kind.MLA, 32_768));
        assertEquals(163_745_628_160L, kv.bytes(KvCache.Kind.FULL, 32_768));
        assertEquals(152.5, kv.bytes(KvCache.Kind.FULL, 32_768) / GIB);
        // a legacy GGUF states the per-head sizes without the _mla suffix: the same cache
        assertEquals(kv, KvCache.of(PlanFixtures.shipped(MlaLayout.LEGACY).metadata()));
        assertThrows(IllegalArgumentException.class, () -> kv.bytes(KvCache.Kind.MLA, 0));
    }

    /**
     * Q4_K_M without tokenizer: 404,494,155,296 file bytes. Full cache on 8 devices:
     * ceil((404,494,155,296 + 163,745,628,160) / 8) + 4.5 GiB = 71,029,972,932 + 4,831,838,208 =
     * 75,861,811,140 bytes (70.65 GiB): fits an H100's 81,559 MiB (85,520,809,984), not 64 GiB (68,719,476,736).
     */
    @Test
    void handCheckedFit() {
        VariantPlan q4 = VariantPlan.plan(MODEL, "Q4_K_M", PlanOptions.DEFAULT);
        assertEquals(404_494_155_296L, q4.fileBytes());
        KvCache kv = KvCache.of(MODEL.metadata());
        List<MemoryFit> fits = MemoryFit.of(q4, MlaLayout.LEGACY, kv, 32_768, DeploymentTargets.builtIn());
        assertEquals(6, fits.size());
        MemoryFit h100Full = fits.get(1);
        assertEquals("8xH100-80GB", h100Full.target().name());
        assertEquals(KvCache.Kind.FULL, h100Full.cache());
        assertEquals(75_861_811_140L, h100Full.perDeviceBytes());
        assertEquals(85_520_809_984L - 75_861_811_140L, h100Full.headroomBytes(), "an H100 shows 81,559 MiB");
        assertTrue(h100Full.fits());
        assertEquals(404_494_155_296L + 163_745_628_160L + 8 * 4_831_838_208L, h100Full.totalBytes());

        MemoryFit ascendFull = fits.get(5);
        assertEquals("8xAscend910B-64GB", ascendFull.target().name());
        assertEquals(75_861_811_140L, ascendFull.perDeviceBytes());
        assertFalse(ascendFull.fits());

        // MLA cache: ceil((404,494,155,296 + 2,302,672,896) / 8) + 4,831,838,208 = 55,681,441,732
        MemoryFit ascendMla = fits.get(4);
        assertEquals(KvCache.Kind.MLA, ascendMla.cache());
        assertEquals(55_681_441_732L, ascendMla.perDeviceBytes());
        assertTrue(ascendMla.fits());

        // llama.cpp keeps the full cache for a legacy file, the MLA cache for a split one: the verdict that
        // holds on the 910B is "does not fit" for the one and "fits" for the other
        assertTrue(ascendFull.kept() && !ascendMla.kept());
        List<MemoryFit> split = MemoryFit.of(q4, MlaLayout.SPLIT, kv, 32_768, DeploymentTargets.builtIn());
        assertTrue(split.get(4).kept() && !split.get(5).kept());
        assertEquals(ascendMla.perDeviceBytes(), split.get(4).perDeviceBytes());
    }

    /** Table 1's "Memory Usage per GPU" (full cache, 32K, 8 devices), rounded to whole GiB. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Q4_K_M  | 71 | false
            Q3_K_M  | 61 | true
            DQ3_K_M | 59 | true
            Q2_K_L  | 52 | true
            """)
    void perDeviceMemoryMatchesThePaper(String variant, long perGpu, boolean fits910B) {
        VariantPlan p = VariantPlan.plan(MODEL, variant, PlanOptions.DEFAULT);
        MemoryFit ascendFull = MemoryFit.of(p, MlaLayout.LEGACY, KvCache.of(MODEL.metadata()), 32_768,
                DeploymentTargets.builtIn()).get(5);
        assertEquals(perGpu, Math.round(ascendFull.perDeviceBytes() / GIB));
        assertEquals(fits910B, ascendFull.fits());
    }

    @Test
    void builtInTargetsAreTheConfFile() {
        DeploymentTargets t = DeploymentTargets.builtIn();
        assertEquals(4.5, t.overheadPerDeviceGib());
        assertEquals(List.of(new DeploymentTarget("8xH100-80GB", 8, 79.6474609375), new DeploymentTarget("8xA100-80GB", 8, 80),
                new DeploymentTarget("8xAscend910B-64GB", 8, 64)), t.targets());
    }

    @Test
    void targetsFromTextAndOptions() {
        DeploymentTargets t = DeploymentTargets.parse("t.yaml", """
                overhead_per_device_gib: 2
                targets:
                  - {name: 4xH200, devices: 4, memory_gib: 141}
                  - {name: 1xL40S, devices: 1, memory_gib: 44.5}
                """);
        assertEquals(2.0, t.overheadPerDeviceGib());
        assertEquals(new DeploymentTarget("1xL40S", 1, 44.5), t.targets().get(1));
        assertEquals(47_781_511_168L, t.targets().get(1).deviceBytes());
        DeploymentTargets more = t.with(List.of(DeploymentTarget.parse("4xH200=4x143"), DeploymentTarget.parse("2xB200=2x180")));
        assertEquals(List.of("1xL40S", "4xH200", "2xB200"), more.targets().stream().map(DeploymentTarget::name).toList());
        assertEquals(143.0, more.targets().get(1).memoryGib());
        assertEquals(3.0, more.withOverhead(3).overheadPerDeviceGib());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            "targets: [unclosed"                                                        | not valid YAML
            "overhead_per_device_gib: 1"                                                | the file needs 'targets'
            "overhead_per_device_gib: 1\\ntargets: 3"                                    | 'targets' must be a list
            "overhead_per_device_gib: 1\\ntargets: []\\nextra: 1"                        | unknown key 'extra'
            "overhead_per_device_gib: 1\\ntargets: [{name: a, memory_gib: 8}]"           | targets[0] needs 'devices'
            "overhead_per_device_gib: 1\\ntargets: [{name: a, devices: 0, memory_gib: 8}]" | targets[0]: deployment target 'a'
            "overhead_per_device_gib: x\\ntargets: []"                                   | 'overhead_per_device_gib' must be a number
            "overhead_per_device_gib: 1\\ntargets: [{name: a, devices: 1, memory_gib: 8}, {name: a, devices: 2, memory_gib: 8}]" | listed twice
            """)
    void badTargetFilesAreRefusedByName(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeploymentTargets.parse("t.yaml", text.replace("\\n", "\n")));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().startsWith("t.yaml: "), e.getMessage());
    }

    @Test
    void badTargetOptionsAreRefused() {
        for (String bad : List.of("H100", "=8x80", "x=8x", "a=8xlots", "a=0x80")) {
            assertThrows(IllegalArgumentException.class, () -> DeploymentTarget.parse(bad), bad);
        }
    }
}
