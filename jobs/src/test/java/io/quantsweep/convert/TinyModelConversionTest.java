package io.quantsweep.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.Architectures;
import io.quantsweep.arch.HfConfig;
import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.ModelMapping;
import io.quantsweep.arch.ModelMappingException;
import io.quantsweep.arch.NonFiniteWeightException;
import io.quantsweep.arch.OutputTensor;
import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.arch.TensorRows;
import io.quantsweep.arch.deepseek.DeepseekV3Config;
import io.quantsweep.arch.deepseek.DeepseekV3Generator;
import io.quantsweep.arch.deepseek.DeepseekV3Preset;
import io.quantsweep.format.gguf.GgufHeader;
import io.quantsweep.format.gguf.GgufReader;
import io.quantsweep.format.gguf.GgufTensorInfo;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.safetensors.SafetensorsCheckpoint;
import io.quantsweep.format.safetensors.SafetensorsIndex;
import io.quantsweep.format.safetensors.SafetensorsWriter;
import io.quantsweep.format.safetensors.SafetensorsDtype;
import io.quantsweep.format.safetensors.SafetensorsFile;
import io.quantsweep.format.safetensors.TensorInfo;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Bf16;
import io.quantsweep.quant.numeric.Fp16;
import io.quantsweep.quant.numeric.Fp8E4M3;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny model converted to F32, BF16 and F16 GGUFs and read back: every tensor equals what this
 * test computes on its own from the raw checkpoint bytes (FP8 code × block scale, BF16 widened, experts
 * stacked, kv_b_proj cut per head), exactly for F32 and after the output type's rounding otherwise.
 */
class TinyModelConversionTest {
    private static final FileSystem FS = RealModelFiles.fs();
    private static Path model;
    private static Path f32;
    private static Path bf16;
    private static DeepseekV3Config config;
    private static SafetensorsCheckpoint checkpoint;

    @BeforeAll
    static void generateAndConvert(@TempDir Path dir) throws IOException {
        model = dir.resolve("DeepSeek-V3-tiny");
        DeepseekV3Generator.generate(FS, RealModelFiles.hadoop(model), DeepseekV3Preset.TINY, 7, Optional.empty());
        f32 = dir.resolve("tiny-F32.gguf");
        bf16 = dir.resolve("tiny-BF16.gguf");
        CheckpointConverter.convert(FS, RealModelFiles.hadoop(model), f32, GgmlType.F32, MlaLayout.SPLIT);
        CheckpointConverter.convert(FS, RealModelFiles.hadoop(model), bf16, GgmlType.BF16, MlaLayout.SPLIT);
        config = DeepseekV3Preset.TINY.config();
        checkpoint = SafetensorsCheckpoint.open(FS, RealModelFiles.hadoop(model));
    }

    /** A checkpoint tensor in float32, computed here from its raw bytes. */
    private static float[] hf(String name) throws IOException {
        TensorInfo t = checkpoint.tensor(name);
        byte[] raw = checkpoint.readRawRows(name, 0, t.rowCount());
        int n = (int) t.elementCount();
        float[] out = new float[n];
        switch (t.dtype()) {
            case F8_E4M3 -> {
                float[] scale = hf(name + "_scale_inv");
                int cols = (int) t.rowLength();
                int scaleCols = (cols + 127) / 128;
                for (int i = 0; i < n; i++) {
                    out[i] = Fp8E4M3.toFloat(raw[i]) * scale[(i / cols) / 128 * scaleCols + (i % cols) / 128];
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Bf16.toFloat(LittleEndian.getShort(raw, 2 * i));
                }
            }
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = LittleEndian.getFloat(raw, 4 * i);
                }
            }
            default -> throw new AssertionError(name + " is " + t.dtype());
        }
        return out;
    }

    private static final Map<String, String> SIMPLE = Map.ofEntries(
            Map.entry("attn_norm.weight", "input_layernorm.weight"),
            Map.entry("attn_q_a.weight", "self_attn.q_a_proj.weight"),
            Map.entry("attn_q_a_norm.weight", "self_attn.q_a_layernorm.weight"),
            Map.entry("attn_q_b.weight", "self_attn.q_b_proj.weight"),
            Map.entry("attn_kv_a_mqa.weight", "self_attn.kv_a_proj_with_mqa.weight"),
            Map.entry("attn_kv_a_norm.weight", "self_attn.kv_a_layernorm.weight"),
            Map.entry("attn_kv_b.weight", "self_attn.kv_b_proj.weight"),
            Map.entry("attn_output.weight", "self_attn.o_proj.weight"),
            Map.entry("ffn_norm.weight", "post_attention_layernorm.weight"),
            Map.entry("ffn_gate.weight", "mlp.gate_proj.weight"),
            Map.entry("ffn_up.weight", "mlp.up_proj.weight"),
            Map.entry("ffn_down.weight", "mlp.down_proj.weight"),
            Map.entry("ffn_gate_inp.weight", "mlp.gate.weight"),
            Map.entry("exp_probs_b.bias", "mlp.gate.e_score_correction_bias"),
            Map.entry("ffn_gate_shexp.weight", "mlp.shared_experts.gate_proj.weight"),
            Map.entry("ffn_up_shexp.weight", "mlp.shared_experts.up_proj.weight"),
            Map.entry("ffn_down_shexp.weight", "mlp.shared_experts.down_proj.weight"));

    /** What GGUF tensor {@code name} must hold, from this test's own reading of the conversion rules. */
    private static float[] expected(String name) throws IOException {
        switch (name) {
            case "token_embd.weight":
                return hf("model.embed_tokens.weight");
            case "output.weight":
                return hf("lm_head.weight");
            case "output_norm.weight":
                return hf("model.norm.weight");
            default:
                break;
        }
        Matcher m = Pattern.compile("blk\\.(\\d+)\\.(.+)").matcher(name);
        assertTrue(m.matches(), name);
        String hf = "model.layers." + m.group(1) + ".";
        String kind = m.group(2);
        if (SIMPLE.containsKey(kind)) {
            return hf(hf + SIMPLE.get(kind));
        }
        int heads = config.numAttentionHeads();
        int nope = config.qkNopeHeadDim();
        int v = config.vHeadDim();
        int lora = config.kvLoraRank();
        Matcher exps = Pattern.compile("ffn_(gate|up|down)_exps\\.weight").matcher(kind);
        if (exps.matches()) {
            List<float[]> parts = new ArrayList<>();
            for (int e = 0; e < config.nRoutedExperts(); e++) {
                parts.add(hf(hf + "mlp.experts." + e + "." + exps.group(1) + "_proj.weight"));
            }
            return concat(parts);
        }
        float[] kv = hf(hf + "self_attn.kv_b_proj.weight");
        if (kind.equals("attn_k_b.weight")) {
            float[] out = new float[heads * lora * nope];
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < lora; i++) {
                    for (int j = 0; j < nope; j++) {
                        out[(h * lora + i) * nope + j] = kv[(h * (nope + v) + j) * lora + i];
                    }
                }
            }
            return out;
        }
        if (kind.equals("attn_v_b.weight")) {
            float[] out = new float[heads * v * lora];
            for (int h = 0; h < heads; h++) {
                System.arraycopy(kv, (h * (nope + v) + nope) * lora, out, h * v * lora, v * lora);
            }
            return out;
        }
        throw new AssertionError("no rule for " + name);
    }

    private static float[] concat(List<float[]> parts) {
        float[] out = new float[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static float[] floats(GgufReader r, GgufTensorInfo t) throws IOException {
        byte[] b = r.readTensor(t.name());
        int n = (int) (t.byteSize() / (t.type() == GgmlType.F32 ? 4 : 2));
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (t.type()) {
                case F32 -> LittleEndian.getFloat(b, 4 * i);
                case BF16 -> Bf16.toFloat(LittleEndian.getShort(b, 2 * i));
                case F16 -> Fp16.toFloat(LittleEndian.getShort(b, 2 * i));
                default -> throw new AssertionError(t.name() + " is " + t.type());
            };
        }
        return out;
    }

    private static float round(GgmlType type, float x) {
        return switch (type) {
            case F32 -> x;
            case BF16 -> Bf16.toFloat(Bf16.fromFloat(x));
            case F16 -> Fp16.toFloat(Fp16.fromFloat(x));
            default -> throw new AssertionError(type);
        };
    }

    /** 3 global tensors, layer 0 dense (13), 2 MoE layers (18 each); the MTP layer 3 is gone. */
    private static final int SPLIT_TENSORS = 52;

    private static void assertTensorsMatch(Path gguf, GgmlType type, int tensors) throws IOException {
        try (GgufReader r = GgufReader.open(gguf)) {
            int checked = 0;
            for (GgufTensorInfo t : r.header().tensors()) {
                boolean keepsF32 = t.name().endsWith("_norm.weight") || t.name().contains("ffn_gate_inp") || t.name().endsWith(".bias");
                assertEquals(keepsF32 ? GgmlType.F32 : type, t.type(), t.name());
                float[] want = expected(t.name());
                float[] got = floats(r, t);
                assertEquals(want.length, got.length, t.name());
                for (int i = 0; i < want.length; i++) {
                    float w = keepsF32 ? want[i] : round(type, want[i]);
                    if (Float.floatToRawIntBits(w) != Float.floatToRawIntBits(got[i])) {
                        throw new AssertionError(t.name() + " value " + i + ": expected " + w + " got " + got[i]);
                    }
                }
                checked++;
            }
            assertEquals(tensors, checked);
        }
    }

    @Test
    void f32HoldsTheCheckpointsFloat32ValuesExactly() throws IOException {
        assertTensorsMatch(f32, GgmlType.F32, SPLIT_TENSORS);
    }

    @Test
    void bf16HoldsTheirBf16Rounding() throws IOException {
        assertTensorsMatch(bf16, GgmlType.BF16, SPLIT_TENSORS);
    }

    @Test
    void f16AndTheLegacyLayout(@TempDir Path dir) throws IOException {
        Path f16 = dir.resolve("tiny-F16-legacy.gguf");
        CheckpointConverter.convert(FS, RealModelFiles.hadoop(model), f16, GgmlType.F16, MlaLayout.LEGACY);
        try (GgufReader r = GgufReader.open(f16)) {
            assertEquals(SPLIT_TENSORS - 3, r.header().tensors().size(), "one attn_kv_b for k_b and v_b in each of 3 layers");
            assertArrayEquals(new long[] {256, 512}, r.tensor("blk.1.attn_kv_b.weight").ne());
            assertEquals(4, r.header().get("deepseek2.attention.head_count_kv").orElseThrow().asLong());
            assertEquals(1, r.header().get("general.file_type").orElseThrow().asLong());
        }
        assertTensorsMatch(f16, GgmlType.F16, SPLIT_TENSORS - 3);
    }

    @Test
    void metadataDescribesTheTinyModel() throws IOException {
        try (GgufReader r = GgufReader.open(bf16)) {
            GgufHeader h = r.header();
            List<String> keys = h.metadata().keys();
            assertEquals(List.of("general.architecture", "general.type", "general.name", "general.size_label",
                    "deepseek2.block_count"), keys.subList(0, 5));
            assertEquals("general.quantization_version", keys.get(keys.size() - 1));
            assertEquals("deepseek2", h.requireString("general.architecture"));
            assertEquals("DeepSeek-V3-tiny", h.requireString("general.name"));
            // shared 2,358,544 parameters + one expert in both MoE layers 2 × 3 × 256 × 256 = 2.75M
            assertEquals("8x2.8M", h.requireString("general.size_label"));
            assertEquals(32, h.get("general.file_type").orElseThrow().asLong());
            assertEquals(3, h.get("deepseek2.block_count").orElseThrow().asLong());
            assertEquals(1, h.get("deepseek2.attention.head_count_kv").orElseThrow().asLong());
            assertEquals(288, h.get("deepseek2.attention.key_length").orElseThrow().asLong());
            assertEquals(96, h.get("deepseek2.attention.key_length_mla").orElseThrow().asLong());
            assertEquals(4, h.get("deepseek2.expert_group_count").orElseThrow().asLong());
            assertEquals(512, ((GgufValue.Array) h.get("tokenizer.ggml.tokens").orElseThrow()).length());
            assertEquals("deepseek-v3", h.requireString("tokenizer.ggml.pre"));
            assertEquals(2, h.get("general.quantization_version").orElseThrow().asLong());
            List<String> names = h.tensors().stream().map(GgufTensorInfo::name).toList();
            assertEquals(List.of("output.weight", "output_norm.weight", "token_embd.weight", "blk.0.attn_k_b.weight"),
                    names.subList(0, 4));
        }
    }

    @Test
    void rowReadsAcrossSliceBoundariesAndSmallSlabsGiveTheSameValues() throws IOException {
        HfConfig c = HfConfig.read(FS, RealModelFiles.hadoop(model));
        ModelMapping m = Architectures.of(c).map(c, MlaLayout.SPLIT);
        for (String name : List.of("blk.1.attn_k_b.weight", "blk.1.attn_v_b.weight", "blk.2.ffn_down_exps.weight",
                "blk.0.attn_kv_a_mqa.weight")) {
            OutputTensor t = m.tensor(name);
            float[] want = expected(name);
            for (long r0 = 0; r0 < t.rowCount(); r0 += 7) {
                long r1 = Math.min(t.rowCount(), r0 + 7);
                float[] got = TensorRows.read(checkpoint, t, r0, r1);
                float[] slice = java.util.Arrays.copyOfRange(want, (int) (r0 * t.rowLength()), (int) (r1 * t.rowLength()));
                assertArrayEquals(slice, got, name + " rows " + r0);
            }
            // the converter's stream with slabs of 3 rows writes the same bytes as with its default slabs
            GgufTensorInfo info = new GgufTensorInfo(t.spec(GgmlType.BF16), 0);
            ByteArrayOutputStream small = new ByteArrayOutputStream();
            ByteArrayOutputStream large = new ByteArrayOutputStream();
            CheckpointConverter.tensorData(checkpoint, t, info, 3 * (int) t.rowLength()).writeTo(small);
            CheckpointConverter.tensorData(checkpoint, t, info).writeTo(large);
            assertArrayEquals(large.toByteArray(), small.toByteArray(), name);
            assertEquals(info.byteSize(), small.size());
        }
    }

    @Test
    void aCheckpointThatDoesNotMatchTheConfigIsRefused(@TempDir Path dir) throws IOException {
        Path broken = Files.createDirectory(dir.resolve("broken"));
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json", "model-00001-of-00003.safetensors",
                "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors")) {
            Files.copy(model.resolve(f), broken.resolve(f));
        }
        SafetensorsIndex index = SafetensorsIndex.read(FS, RealModelFiles.hadoop(model.resolve(SafetensorsIndex.FILE_NAME)));
        Map<String, String> missing = new LinkedHashMap<>(index.weightMap());
        missing.remove("model.layers.2.mlp.experts.5.up_proj.weight");
        missing.remove("model.layers.2.mlp.experts.5.up_proj.weight_scale_inv");
        ModelMappingException e = convertWith(broken, new SafetensorsIndex(index.metadata(), missing));
        assertEquals(ModelMappingException.Reason.MISSING_TENSOR, e.reason());
        assertTrue(e.getMessage().contains("'model.layers.2.mlp.experts.5.up_proj.weight'")
                && e.getMessage().contains("'blk.2.ffn_up_exps.weight'"), e.getMessage());

        Map<String, String> extra = new LinkedHashMap<>(index.weightMap());
        new SafetensorsWriter().add("model.layers.0.mlp.experts.0.up_proj.weight", SafetensorsDtype.BF16, List.of(2L),
                new byte[4]).write(FS, RealModelFiles.hadoop(broken.resolve("extra.safetensors")));
        extra.put("model.layers.0.mlp.experts.0.up_proj.weight", "extra.safetensors");
        e = convertWith(broken, new SafetensorsIndex(index.metadata(), extra));
        assertEquals(ModelMappingException.Reason.UNEXPECTED_TENSOR, e.reason());
        assertTrue(e.getMessage().contains("'model.layers.0.mlp.experts.0.up_proj.weight'"), e.getMessage());

        Map<String, String> reshaped = new HashMap<>(index.weightMap());
        reshaped.put("model.norm.weight", "extra.safetensors");
        new SafetensorsWriter().add("model.norm.weight", SafetensorsDtype.BF16, List.of(2L), new byte[4])
                .write(FS, RealModelFiles.hadoop(broken.resolve("extra.safetensors")));
        e = convertWith(broken, new SafetensorsIndex(index.metadata(), reshaped));
        assertEquals(ModelMappingException.Reason.TENSOR_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("'model.norm.weight' is BF16 [2]"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("out.gguf")), "nothing written");
    }

    @Test
    void aWeightThatIsNotFiniteIsNamedInTheCheckpoint(@TempDir Path dir) throws IOException {
        Path broken = Files.createDirectory(dir.resolve("nan"));
        try (var files = Files.list(model)) {
            for (Path f : files.toList()) {
                Files.copy(f, broken.resolve(f.getFileName()));
            }
        }
        String weight = "model.layers.0.self_attn.q_a_proj.weight";
        String shard;
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(FS, RealModelFiles.hadoop(broken))) {
            shard = c.shardOf(weight);
            SafetensorsFile f = c.shard(shard);
            TensorInfo t = f.tensor(weight);
            try (RandomAccessFile raf = new RandomAccessFile(broken.resolve(f.path().getName()).toFile(), "rw")) {
                raf.seek(f.dataStart() + t.begin() + 3 * t.rowBytes() + 5);
                raf.write(0x7F); // E4M3's NaN
            }
        }
        Path out = dir.resolve("out.gguf");
        NonFiniteWeightException e = assertThrows(NonFiniteWeightException.class, () -> CheckpointConverter.convert(FS,
                RealModelFiles.hadoop(broken), out, GgmlType.BF16, MlaLayout.SPLIT));
        assertTrue(e.getMessage().contains("output tensor 'blk.0.attn_q_a.weight' has value NaN at row 3, column 5 "
                + "(read from '" + weight + "'); weights must be finite"), e.getMessage());
        assertTrue(e.getMessage().contains(broken.resolve(shard) + ": output tensor"), "names the shard: " + e.getMessage());
        try (var left = Files.list(dir)) {
            assertEquals(List.of(broken), left.toList(), "no output, not even a temporary one");
        }
    }

    private static ModelMappingException convertWith(Path dir, SafetensorsIndex index) throws IOException {
        index.write(FS, RealModelFiles.hadoop(dir.resolve(SafetensorsIndex.FILE_NAME)));
        return assertThrows(ModelMappingException.class, () -> CheckpointConverter.convert(FS, RealModelFiles.hadoop(dir),
                dir.resolveSibling("out.gguf"), GgmlType.F32, MlaLayout.SPLIT));
    }
}
