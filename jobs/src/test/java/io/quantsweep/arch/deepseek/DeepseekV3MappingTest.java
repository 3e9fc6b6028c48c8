package io.quantsweep.arch.deepseek;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.arch.Architectures;
import io.quantsweep.arch.HfConfig;
import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.ModelMapping;
import io.quantsweep.arch.OutputTensor;
import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.arch.SourceSlice;
import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.gguf.GgufValueType;
import io.quantsweep.quant.GgmlType;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The 671B config alone (the planner's path) against the spec's names, shapes, counts and metadata. */
class DeepseekV3MappingTest {

    private static ModelMapping map(MlaLayout layout) throws IOException {
        return Architectures.of(RealModelFiles.config()).map(RealModelFiles.config(), layout);
    }

    @Test
    void splitLayoutHas1086TensorsOf671BParameters() throws IOException {
        ModelMapping m = map(MlaLayout.SPLIT);
        assertEquals(1086, m.tensors().size());
        assertEquals(361, m.tensors().stream().filter(OutputTensor::alwaysF32).count());
        assertEquals(725, m.tensors().stream().filter(t -> !t.alwaysF32()).count());
        assertEquals(671_026_419_200L, m.parameterCount());
        long bf16Bytes = m.tensors().stream().mapToLong(t -> t.spec(GgmlType.BF16).byteSize()).sum();
        assertEquals(1_342_267_742_208L, bf16Bytes);
        assertEquals("256x20B", m.sizeLabel());
        // the 3-D tensors that are quantized: 58 layers × 3 expert stacks and 61 × (k_b, v_b)
        assertEquals(58 * 3 + 61 * 2, m.tensors().stream().filter(t -> t.ne().length == 3).count());
    }

    @Test
    void legacyLayoutKeepsOneKvBPerLayer() throws IOException {
        ModelMapping m = map(MlaLayout.LEGACY);
        assertEquals(1025, m.tensors().size());
        assertEquals(361, m.tensors().stream().filter(OutputTensor::alwaysF32).count());
        assertEquals(671_026_419_200L, m.parameterCount());
        assertArrayEquals(new long[] {512, 32768}, m.tensor("blk.60.attn_kv_b.weight").ne());
        assertTrue(m.tensors().stream().noneMatch(t -> t.name().contains("attn_k_b") || t.name().contains("attn_v_b")));
        GgufMetadata md = m.metadata();
        assertEquals(128, md.get("deepseek2.attention.head_count_kv").orElseThrow().asLong());
        assertEquals(192, md.get("deepseek2.attention.key_length").orElseThrow().asLong());
        assertEquals(128, md.get("deepseek2.attention.value_length").orElseThrow().asLong());
        assertFalse(md.contains("deepseek2.attention.key_length_mla"));
        assertFalse(md.contains("deepseek2.attention.value_length_mla"));
    }

    @Test
    void shapesFollowTheSpecTable() throws IOException {
        ModelMapping m = map(MlaLayout.SPLIT);
        Map<String, long[]> expected = new LinkedHashMap<>();
        expected.put("token_embd.weight", new long[] {7168, 129280});
        expected.put("output_norm.weight", new long[] {7168});
        expected.put("output.weight", new long[] {7168, 129280});
        expected.put("blk.0.attn_norm.weight", new long[] {7168});
        expected.put("blk.0.attn_q_a.weight", new long[] {7168, 1536});
        expected.put("blk.0.attn_q_a_norm.weight", new long[] {1536});
        expected.put("blk.0.attn_q_b.weight", new long[] {1536, 24576});
        expected.put("blk.0.attn_kv_a_mqa.weight", new long[] {7168, 576});
        expected.put("blk.0.attn_kv_a_norm.weight", new long[] {512});
        expected.put("blk.0.attn_k_b.weight", new long[] {128, 512, 128});
        expected.put("blk.0.attn_v_b.weight", new long[] {512, 128, 128});
        expected.put("blk.0.attn_output.weight", new long[] {16384, 7168});
        expected.put("blk.0.ffn_norm.weight", new long[] {7168});
        expected.put("blk.2.ffn_gate.weight", new long[] {7168, 18432});
        expected.put("blk.2.ffn_up.weight", new long[] {7168, 18432});
        expected.put("blk.2.ffn_down.weight", new long[] {18432, 7168});
        expected.put("blk.3.ffn_gate_inp.weight", new long[] {7168, 256});
        expected.put("blk.3.exp_probs_b.bias", new long[] {256});
        expected.put("blk.3.ffn_gate_exps.weight", new long[] {7168, 2048, 256});
        expected.put("blk.3.ffn_up_exps.weight", new long[] {7168, 2048, 256});
        expected.put("blk.60.ffn_down_exps.weight", new long[] {2048, 7168, 256});
        expected.put("blk.60.ffn_gate_shexp.weight", new long[] {7168, 2048});
        expected.put("blk.60.ffn_up_shexp.weight", new long[] {7168, 2048});
        expected.put("blk.60.ffn_down_shexp.weight", new long[] {2048, 7168});
        expected.forEach((name, ne) -> assertArrayEquals(ne, m.tensor(name).ne(), name));

        Map<String, Long> perKind = m.tensors().stream().collect(Collectors.groupingBy(
                t -> t.name().replaceFirst("^blk\\.\\d+\\.", ""), LinkedHashMap::new, Collectors.counting()));
        assertEquals(61L, perKind.get("attn_k_b.weight"));
        assertEquals(3L, perKind.get("ffn_gate.weight"));
        assertEquals(58L, perKind.get("ffn_gate_inp.weight"));
        assertEquals(58L, perKind.get("exp_probs_b.bias"));
        assertEquals(58L, perKind.get("ffn_down_shexp.weight"));
        assertTrue(m.tensors().stream().noneMatch(t -> t.layer() >= 61), "the MTP layer 61 is dropped");
        for (OutputTensor t : m.tensors()) {
            boolean f32 = t.name().endsWith("_norm.weight") || t.name().contains("ffn_gate_inp") || t.name().endsWith(".bias");
            assertEquals(f32, t.alwaysF32(), t.name());
        }
    }

    @Test
    void tensorsComeInLlamaCppOrder() throws IOException {
        List<String> names = map(MlaLayout.SPLIT).tensors().stream().map(OutputTensor::name).toList();
        assertEquals(List.of("output.weight", "output_norm.weight", "token_embd.weight", "blk.0.attn_k_b.weight",
                "blk.0.attn_kv_a_mqa.weight", "blk.0.attn_kv_a_norm.weight", "blk.0.attn_norm.weight"), names.subList(0, 7));
        // layer 10 after layer 9 (by number, not by string), names within a layer in byte order
        assertTrue(names.indexOf("blk.9.ffn_up_shexp.weight") < names.indexOf("blk.10.attn_k_b.weight"));
        assertEquals("blk.60.ffn_up_shexp.weight", names.get(names.size() - 1));
        assertEquals(List.of("blk.3.exp_probs_b.bias", "blk.3.ffn_down_exps.weight", "blk.3.ffn_down_shexp.weight",
                "blk.3.ffn_gate_exps.weight", "blk.3.ffn_gate_inp.weight", "blk.3.ffn_gate_shexp.weight",
                "blk.3.ffn_norm.weight", "blk.3.ffn_up_exps.weight", "blk.3.ffn_up_shexp.weight"),
                names.stream().filter(n -> n.startsWith("blk.3.") && !n.contains("attn")).toList());
    }

    @Test
    void sourcesStackExpertsAndCutKvB() throws IOException {
        ModelMapping m = map(MlaLayout.SPLIT);
        List<SourceSlice> exps = m.tensor("blk.7.ffn_down_exps.weight").sources();
        assertEquals(256, exps.size());
        for (int e = 0; e < 256; e++) {
            assertEquals(SourceSlice.whole("model.layers.7.mlp.experts." + e + ".down_proj.weight", 7168, 2048), exps.get(e));
        }
        List<SourceSlice> k = m.tensor("blk.5.attn_k_b.weight").sources();
        List<SourceSlice> v = m.tensor("blk.5.attn_v_b.weight").sources();
        assertEquals(128, k.size());
        String kvB = "model.layers.5.self_attn.kv_b_proj.weight";
        for (int h = 0; h < 128; h++) {
            assertEquals(SourceSlice.transposedRows(kvB, 32768, 512, h * 256L, 128), k.get(h));
            assertEquals(SourceSlice.rows(kvB, 32768, 512, h * 256L + 128, 128), v.get(h));
        }
        assertEquals(List.of(SourceSlice.whole("model.layers.3.mlp.gate.e_score_correction_bias", 256)),
                m.tensor("blk.3.exp_probs_b.bias").sources());
        assertEquals(List.of(SourceSlice.whole("lm_head.weight", 129280, 7168)), m.tensor("output.weight").sources());
        assertTrue(m.dropped().test("model.layers.61.eh_proj.weight"));
        assertTrue(m.dropped().test("model.layers.61.mlp.experts.3.up_proj.weight_scale_inv"));
        assertFalse(m.dropped().test("model.layers.60.mlp.experts.3.up_proj.weight"));
        assertFalse(m.dropped().test("model.embed_tokens.weight"));
    }

    @Test
    void metadataHasTheConvertersKeysTypesAndValues() throws IOException {
        GgufMetadata md = map(MlaLayout.SPLIT).metadata();
        Map<String, GgufValue> expected = new LinkedHashMap<>();
        expected.put("general.architecture", GgufValue.string("deepseek2"));
        expected.put("deepseek2.block_count", GgufValue.u32(61));
        expected.put("deepseek2.context_length", GgufValue.u32(163840));
        expected.put("deepseek2.embedding_length", GgufValue.u32(7168));
        expected.put("deepseek2.feed_forward_length", GgufValue.u32(18432));
        expected.put("deepseek2.attention.head_count", GgufValue.u32(128));
        expected.put("deepseek2.attention.head_count_kv", GgufValue.u32(1));
        expected.put("deepseek2.rope.freq_base", GgufValue.f32(10000f));
        expected.put("deepseek2.attention.layer_norm_rms_epsilon", GgufValue.f32(1e-6f));
        expected.put("deepseek2.expert_used_count", GgufValue.u32(8));
        expected.put("deepseek2.leading_dense_block_count", GgufValue.u32(3));
        expected.put("deepseek2.vocab_size", GgufValue.u32(129280));
        expected.put("deepseek2.attention.q_lora_rank", GgufValue.u32(1536));
        expected.put("deepseek2.attention.kv_lora_rank", GgufValue.u32(512));
        expected.put("deepseek2.attention.key_length", GgufValue.u32(576));
        expected.put("deepseek2.attention.value_length", GgufValue.u32(512));
        expected.put("deepseek2.attention.key_length_mla", GgufValue.u32(192));
        expected.put("deepseek2.attention.value_length_mla", GgufValue.u32(128));
        expected.put("deepseek2.expert_feed_forward_length", GgufValue.u32(2048));
        expected.put("deepseek2.expert_count", GgufValue.u32(256));
        expected.put("deepseek2.expert_shared_count", GgufValue.u32(1));
        expected.put("deepseek2.expert_weights_scale", GgufValue.f32(2.5f));
        expected.put("deepseek2.expert_weights_norm", GgufValue.bool(true));
        expected.put("deepseek2.expert_group_count", GgufValue.u32(8));
        expected.put("deepseek2.expert_group_used_count", GgufValue.u32(4));
        expected.put("deepseek2.expert_gating_func", GgufValue.u32(2));
        expected.put("deepseek2.rope.dimension_count", GgufValue.u32(64));
        expected.put("deepseek2.rope.scaling.type", GgufValue.string("yarn"));
        expected.put("deepseek2.rope.scaling.factor", GgufValue.f32(40f));
        expected.put("deepseek2.rope.scaling.original_context_length", GgufValue.u32(4096));
        expected.put("deepseek2.rope.scaling.yarn_beta_fast", GgufValue.f32(32f));
        expected.put("deepseek2.rope.scaling.yarn_beta_slow", GgufValue.f32(1f));
        expected.put("deepseek2.rope.scaling.yarn_log_multiplier", GgufValue.f32(0.1f));
        assertEquals(List.copyOf(expected.keySet()), md.keys());
        expected.forEach((k, v) -> assertEquals(v, md.get(k).orElseThrow(), k));
        assertEquals(GgufValueType.FLOAT32, md.get("deepseek2.attention.layer_norm_rms_epsilon").orElseThrow().type());
    }

    @Test
    void routingOverEveryGroupWritesNoGroupKeys() throws IOException {
        // llama.cpp asserts at load that fewer groups are used than there are
        GgufMetadata md = metadata(j -> j.put("topk_group", 8));
        assertTrue(md.get("deepseek2.expert_group_count").isEmpty());
        assertTrue(md.get("deepseek2.expert_group_used_count").isEmpty());
    }

    @Test
    void withoutRopeScalingALegacyFileHasAYarnLogMultiplierOfZero() throws IOException {
        // llama.cpp b4916 requires the key of deepseek2; without scaling it multiplies ln 1 (the split
        // layout's llama.cpp reads it only where present: DeepseekV3ConfigErrorsTest)
        GgufMetadata md = metadata(j -> j.remove("rope_scaling"));
        assertEquals(GgufValue.f32(0f), md.get("deepseek2.rope.scaling.yarn_log_multiplier").orElseThrow());
        assertTrue(md.get("deepseek2.rope.scaling.type").isEmpty());
    }

    private static GgufMetadata metadata(Consumer<ObjectNode> edit) throws IOException {
        ObjectNode json = RealModelFiles.config().json();
        edit.accept(json);
        HfConfig c = HfConfig.of("config.json", json);
        return Architectures.of(c).map(c, MlaLayout.LEGACY).metadata();
    }
}
