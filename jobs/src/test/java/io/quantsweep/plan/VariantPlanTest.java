package io.quantsweep.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.HfConfig;
import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.ModelMappingException;
import io.quantsweep.arch.OutputTensor;
import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.arch.SourceSlice;
import io.quantsweep.convert.CheckpointConverter;
import io.quantsweep.format.gguf.Gguf;
import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufPlan;
import io.quantsweep.format.gguf.GgufSplit;
import io.quantsweep.format.gguf.GgufTensorInfo;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.safetensors.SafetensorsIndex;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.recipe.RecipeException;
import io.quantsweep.quant.recipe.TensorAssignment.Decision;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** DeepSeek-V3 671B planned through the real config mapping and tokenizer, against the spec's and the paper's sizes. */
class VariantPlanTest {
    private static final long PARAMETERS = 671_026_419_200L;
    private static final double GIB = 1L << 30;

    private static Path modelDir;
    private static ModelInput exact;

    @BeforeAll
    static void readModel(@TempDir Path dir) throws IOException {
        modelDir = PlanFixtures.withTokenizer(dir);
        exact = PlanFixtures.read(modelDir, MlaLayout.SPLIT);
    }

    /** deepseek-v3-gguf.md §3.6 totals; Q2_K_L and DQ3_K_M as their recipe files state. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Q2_K    | 244142971904
            Q3_K_M  | 319261053440
            Q4_K_M  | 404488847360
            Q2_K_L  | 245047931904
            DQ3_K_M | 301446681088
            """)
    void tensorBytesMatchTheSpec(String variant, long bytes) {
        VariantPlan p = VariantPlan.plan(exact, variant, PlanOptions.DEFAULT);
        assertEquals(bytes, p.tensorBytes());
        assertEquals(PARAMETERS, p.parameterCount());
        assertEquals(1086, p.tensors().size());
        assertTrue(p.exact());
    }

    /**
     * arXiv 2505.02390 Table 1: whole-GiB file sizes and "Avg Quants" (4.82, 3.81, 3.59). The paper's
     * figure is the nearest GiB or, for Q3_K_M (297.34 GiB, as paper-dq3km.md §1.4 also finds), the
     * next one up, as {@code ls -h} shows sizes; so each planned size lies in (paper - 1, paper + 0.5).
     * The paper's Q2_K_L (2.91) is a third-party file 0.3 GB smaller, so only its size is compared.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Q4_K_M  | 377 | 4.82
            Q3_K_M  | 298 | 3.81
            DQ3_K_M | 281 | 3.59
            Q2_K_L  | 228 |
            """)
    void sizesAgreeWithThePapersTable1(String variant, long paperGib, Double bpw) {
        VariantPlan p = VariantPlan.plan(exact, variant, PlanOptions.DEFAULT);
        double gib = p.fileBytes() / GIB;
        assertTrue(paperGib - 1 < gib && gib < paperGib + 0.5, variant + " is " + gib + " GiB, the paper " + paperGib);
        if (bpw != null) {
            assertEquals(bpw, Math.round(p.bitsPerWeight() * 100) / 100.0);
        }
    }

    @Test
    void fileIsHeaderThenPaddedTensorsInLlamaOrder() {
        VariantPlan p = VariantPlan.plan(exact, "Q4_K_M", PlanOptions.DEFAULT);
        GgufPlan file = p.shards().get(0);
        long data = 0;
        for (int i = 0; i < p.tensors().size(); i++) {
            PlannedTensor t = p.tensors().get(i);
            assertEquals(data, t.offset(), t.name());
            assertEquals(file.dataOffset() + data, t.fileOffset(), t.name());
            assertEquals(t.name(), file.tensors().get(i).name());
            data += Gguf.pad(t.bytes(), 32);
        }
        assertEquals(file.dataOffset() + data, p.fileBytes());
        assertEquals(file.dataOffset(), p.headerBytes());
        List<String> names = p.tensors().stream().map(PlannedTensor::name).toList();
        assertEquals(List.of("output.weight", "output_norm.weight", "token_embd.weight", "blk.0.attn_k_b.weight"),
                names.subList(0, 4));
        assertEquals("blk.60.ffn_up_shexp.weight", names.get(1085));
        assertTrue(names.indexOf("blk.9.ffn_up_shexp.weight") < names.indexOf("blk.10.attn_k_b.weight"));
        assertEquals(List.of("deepseek-v3-Q4_K_M.gguf"), p.fileNames());
    }

    @Test
    void fileNamesAreSafeOnEveryFileSystem() {
        // a ':' would make Hadoop read "tiny" as a URI scheme
        assertEquals(List.of("tiny_fp8-custom_mix.gguf"), VariantPlan.fileNames("tiny:fp8", "custom/mix", 1, false));
        assertEquals("tiny_fp8-Q4_K_M-00002-of-00002.gguf", VariantPlan.fileNames("tiny:fp8", "Q4_K_M", 2, true).get(1));
    }

    /** llama-quantize keeps the converter's KVs and moves quantization_version and file_type to the end. */
    @Test
    void keysAreTheConvertersThenVersionAndFileType() throws IOException {
        VariantPlan p = VariantPlan.plan(exact, "DQ3_K_M", PlanOptions.DEFAULT);
        GgufMetadata in = exact.metadata();
        assertEquals(GgufValue.u32(32), in.get("general.file_type").orElseThrow());
        List<String> want = new ArrayList<>(in.keys());
        want.remove("general.quantization_version");
        want.remove("general.file_type");
        want.add("general.quantization_version");
        want.add("general.file_type");
        assertEquals(want, p.metadata().keys());
        assertEquals(GgufValue.u32(12), p.metadata().get("general.file_type").orElseThrow());
        assertEquals(GgufValue.u32(2), p.metadata().get("general.quantization_version").orElseThrow());
        for (String k : in.keys()) {
            if (!k.equals("general.file_type")) {
                assertEquals(in.get(k), p.metadata().get(k), k);
            }
        }
        // same keys, value widths and tensor infos: the header is exactly as long as the BF16 file's
        CheckpointConverter.Model model = CheckpointConverter.load(RealModelFiles.fs(), RealModelFiles.hadoop(modelDir),
                MlaLayout.SPLIT);
        assertEquals(CheckpointConverter.plan(model, GgmlType.BF16).dataOffset(), p.headerBytes());
        assertTrue(p.headerBytes() > 5_000_000, "the tokenizer arrays are about 5 MB: " + p.headerBytes());
    }

    @Test
    void withoutTokenizerTheHeaderIsEstimatedClosely() {
        ModelInput shipped = PlanFixtures.shipped(MlaLayout.SPLIT);
        assertFalse(shipped.exact());
        VariantPlan estimated = VariantPlan.plan(shipped, "Q4_K_M", PlanOptions.DEFAULT);
        VariantPlan real = VariantPlan.plan(exact, "Q4_K_M", PlanOptions.DEFAULT);
        assertFalse(estimated.exact());
        assertEquals(real.tensorBytes(), estimated.tensorBytes());
        assertTrue(Math.abs(estimated.fileBytes() - real.fileBytes()) < 8192,
                estimated.fileBytes() + " vs " + real.fileBytes());
        assertEquals(List.of("deepseek-v3-671b-Q4_K_M.gguf"), estimated.fileNames());
    }

    @Test
    void imatrixKeysFollowTheFileTypeInLlamaQuantizesOrder() {
        String longPath = "/data/" + "x".repeat(120) + "/imatrix.gguf";
        ImatrixProvenance full = new ImatrixProvenance(longPath, List.of("calibration_datav3.txt", "more.txt"), 720, 124);
        GgufMetadata md = VariantPlan.plan(exact, "Q2_K_L", PlanOptions.DEFAULT.withImatrix(full)).metadata();
        List<String> keys = md.keys();
        assertEquals(List.of("general.file_type", ImatrixProvenance.KEY_FILE, ImatrixProvenance.KEY_DATASET,
                ImatrixProvenance.KEY_ENTRIES, ImatrixProvenance.KEY_CHUNKS), keys.subList(keys.size() - 5, keys.size()));
        assertEquals(longPath.substring(0, 127), md.get(ImatrixProvenance.KEY_FILE).orElseThrow().asString());
        assertEquals("calibration_datav3.txt", md.get(ImatrixProvenance.KEY_DATASET).orElseThrow().asString());
        assertEquals(GgufValue.u32(720), md.get(ImatrixProvenance.KEY_ENTRIES).orElseThrow());
        assertEquals(GgufValue.u32(124), md.get(ImatrixProvenance.KEY_CHUNKS).orElseThrow());

        ImatrixProvenance bare = new ImatrixProvenance("imatrix.dat", List.of(), 3, 0);
        List<String> bareKeys = VariantPlan.plan(exact, "Q2_K_L", PlanOptions.DEFAULT.withImatrix(bare)).metadata().keys();
        assertEquals(List.of("general.file_type", ImatrixProvenance.KEY_FILE, ImatrixProvenance.KEY_ENTRIES),
                bareKeys.subList(bareKeys.size() - 3, bareKeys.size()));
    }

    @Test
    void truncationKeepsWholeCharacters() {
        String ascii = "a".repeat(200);
        assertEquals(127, ImatrixProvenance.truncate(ascii).length());
        // 126 ASCII bytes, then a 3-byte character across the cut: it is dropped
        String cut = "b".repeat(126) + "\u4e2d" + "tail";
        assertEquals("b".repeat(126), ImatrixProvenance.truncate(cut));
        assertEquals("short", ImatrixProvenance.truncate("short"));
    }

    @Test
    void splitPlansGgufSplitShards() {
        PlanOptions byCount = PlanOptions.DEFAULT.withSplit(GgufSplit.Options.DEFAULT);
        VariantPlan p = VariantPlan.plan(exact, "Q3_K_M", byCount);
        assertEquals(9, p.shards().size()); // 1086 tensors, 128 per shard
        assertEquals("deepseek-v3-Q3_K_M-00001-of-00009.gguf", p.fileNames().get(0));
        assertEquals("deepseek-v3-Q3_K_M-00009-of-00009.gguf", p.fileNames().get(8));
        assertFalse(p.metadata().contains(Gguf.KEY_SPLIT_COUNT));
        for (int s = 0; s < 9; s++) {
            GgufMetadata md = p.shards().get(s).metadata();
            assertEquals(GgufValue.u16(s), md.get(Gguf.KEY_SPLIT_NO).orElseThrow());
            assertEquals(GgufValue.u16(9), md.get(Gguf.KEY_SPLIT_COUNT).orElseThrow());
            assertEquals(GgufValue.i32(1086), md.get(Gguf.KEY_SPLIT_TENSORS_COUNT).orElseThrow());
            assertEquals(s == 0, md.contains("tokenizer.ggml.tokens"));
        }
        int i = 0;
        for (int s = 0; s < 9; s++) {
            GgufPlan shard = p.shards().get(s);
            for (GgufTensorInfo info : shard.tensors()) {
                PlannedTensor t = p.tensors().get(i++);
                assertEquals(info.name(), t.name());
                assertEquals(s, t.shard());
                assertEquals(info.offset(), t.offset());
                assertEquals(shard.dataOffset() + info.offset(), t.fileOffset());
            }
        }
        assertEquals(1086, i);
        assertEquals(319_261_053_440L, p.tensorBytes());

        VariantPlan bySize = VariantPlan.plan(exact, "Q3_K_M",
                PlanOptions.DEFAULT.withSplit(new GgufSplit.Options(GgufSplit.Limit.parseSize("50G"), false)));
        assertEquals(7, bySize.shards().size()); // 319.3 GB of data in shards of at most 50 GB
        for (GgufPlan shard : bySize.shards()) {
            assertTrue(shard.dataSize() <= 50_000_000_000L);
        }
    }

    @Test
    void planSurvivesJavaSerialization() throws IOException, ClassNotFoundException {
        VariantPlan p = VariantPlan.plan(exact, "DQ3_K_M", PlanOptions.DEFAULT.withSplit(GgufSplit.Options.DEFAULT));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(p);
        }
        VariantPlan back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (VariantPlan) in.readObject();
        }
        assertEquals(p.tensors(), back.tensors());
        assertEquals(p.metadata(), back.metadata());
        assertEquals(p.fileNames(), back.fileNames());
        for (int s = 0; s < p.shards().size(); s++) {
            assertArrayEquals(p.shards().get(s).headerBytes(), back.shards().get(s).headerBytes());
        }
    }

    @Test
    void decisionsNameTheRuleOrBase() {
        VariantPlan p = VariantPlan.plan(exact, "DQ3_K_M", PlanOptions.DEFAULT);
        PlannedTensor down = p.tensor("blk.3.ffn_down_exps.weight");
        assertEquals(GgmlType.Q6_K, down.type());
        assertEquals(Decision.RULE, down.decision());
        assertEquals("conf/recipes/DQ3_K_M.yaml:29", down.decidedBy());
        PlannedTensor kB = p.tensor("blk.7.attn_k_b.weight");
        assertEquals(GgmlType.Q4_0, kB.type());
        assertEquals(GgmlType.Q3_K, kB.chosen());
        assertTrue(kB.fellBack());
        assertEquals(Decision.BASE, kB.decision());
        PlannedTensor norm = p.tensor("blk.7.attn_norm.weight");
        assertEquals(Decision.KEPT, norm.decision());
        assertEquals(GgmlType.F32, norm.type());
        assertEquals(3, p.tensor("blk.3.ffn_down_exps.weight").tensor().layer());
        assertEquals(LlamaFileType.MOSTLY_Q3_K_M, p.fileType());
        assertEquals("Q3_K_M", p.base());
    }

    /** Legacy attn_kv_b GGUFs: head_count_kv 128 makes n_gqa 1, so attn_kv_b takes the attn_v rules (§3.6). */
    @Test
    void legacyLayoutUsesItsOwnFacts() throws IOException {
        ModelInput legacy = PlanFixtures.read(modelDir, MlaLayout.LEGACY);
        assertEquals(1, legacy.facts().nGqa());
        assertEquals(128, exact.facts().nGqa());
        VariantPlan p = VariantPlan.plan(legacy, "Q4_K_M", PlanOptions.DEFAULT);
        assertEquals(1025, p.tensors().size());
        assertEquals(404_554_645_504L, p.tensorBytes());
    }

    @Test
    void modelPlanKeepsVariantsAndFileNamesUnique() {
        ModelPlan plan = ModelPlan.plan(exact, List.of("Q4_K_M", "pure:Q4_K", "Q8_0"), PlanOptions.DEFAULT);
        assertEquals(List.of("Q4_K_M", "pure:Q4_K", "Q8_0"), plan.variants().stream().map(VariantPlan::variant).toList());
        assertEquals(List.of("deepseek-v3-pure_Q4_K.gguf"), plan.variant("pure:Q4_K").fileNames());
        assertEquals(LlamaFileType.MOSTLY_Q4_K_M, plan.variant("pure:Q4_K").fileType());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> ModelPlan.plan(exact, List.of("Q4_K_M", "Q4_K"), PlanOptions.DEFAULT));
        assertEquals("variants 'Q4_K_M' and 'Q4_K' are both Q4_K_M", twice.getMessage());
        assertThrows(RecipeException.class, () -> ModelPlan.plan(exact, List.of("Q9_K"), PlanOptions.DEFAULT));
    }

    @Test
    void anIndexMustNameEverySourceTensor(@TempDir Path dir) throws IOException {
        Path model = PlanFixtures.withTokenizer(dir);
        Map<String, String> weights = new LinkedHashMap<>();
        for (OutputTensor t : exact.mapping().tensors()) {
            for (SourceSlice s : t.sources()) {
                weights.put(s.tensor(), "model-00001-of-00001.safetensors");
            }
        }
        SafetensorsIndex complete = new SafetensorsIndex(Map.of(), weights);
        complete.write(RealModelFiles.fs(), RealModelFiles.hadoop(model.resolve(SafetensorsIndex.FILE_NAME)));
        assertEquals(1086, PlanFixtures.read(model, MlaLayout.SPLIT).mapping().tensors().size());

        weights.remove("model.layers.42.mlp.experts.17.down_proj.weight");
        Files.delete(model.resolve(SafetensorsIndex.FILE_NAME));
        new SafetensorsIndex(Map.of(), weights).write(RealModelFiles.fs(),
                RealModelFiles.hadoop(model.resolve(SafetensorsIndex.FILE_NAME)));
        ModelMappingException e = assertThrows(ModelMappingException.class, () -> PlanFixtures.read(model, MlaLayout.SPLIT));
        assertEquals(ModelMappingException.Reason.MISSING_TENSOR, e.reason());
        assertTrue(e.getMessage().contains("model.layers.42.mlp.experts.17.down_proj.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("blk.42.ffn_down_exps.weight"), e.getMessage());
    }

    @Test
    void theShippedConfigIsTheRealOne() throws IOException {
        assertEquals(RealModelFiles.config().json(), HfConfig.parse("shipped",
                Files.readAllBytes(PlanFixtures.SHIPPED.resolve("config.json"))).json());
    }
}
