package io.quantsweep.arch.deepseek;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.arch.Architectures;
import io.quantsweep.arch.HfConfig;
import io.quantsweep.arch.HfTokenizer;
import io.quantsweep.arch.JsonFile;
import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.ModelMapping;
import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.format.safetensors.SafetensorsCheckpoint;
import io.quantsweep.format.safetensors.SafetensorsDtype;
import io.quantsweep.format.safetensors.SafetensorsIndex;
import io.quantsweep.format.safetensors.TensorInfo;
import io.quantsweep.format.gguf.GgufValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tiny preset's checkpoint: the real layout, seeded bytes, a usable tokenizer. */
class DeepseekV3GeneratorTest {
    private static final FileSystem FS = RealModelFiles.fs();
    private static Path tiny;
    private static List<String> written;

    @BeforeAll
    static void generate(@TempDir Path dir) throws IOException {
        tiny = dir.resolve("tiny");
        written = DeepseekV3Generator.generate(FS, RealModelFiles.hadoop(tiny), DeepseekV3Preset.TINY, 42, Optional.empty());
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesShardsIndexConfigAndTokenizerOnly() throws IOException {
        assertEquals(List.of("config.json", "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors", "model.safetensors.index.json", "tokenizer.json", "tokenizer_config.json"),
                files(tiny));
        assertEquals(files(tiny), written.stream().sorted().toList());
        long total = 0;
        for (String f : files(tiny)) {
            total += Files.size(tiny.resolve(f));
        }
        assertTrue(total > 5_000_000 && total < 15_000_000, "tiny is a few MB: " + total);
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherWeights(@TempDir Path dir) throws IOException {
        Path again = dir.resolve("again");
        Path other = dir.resolve("other");
        DeepseekV3Generator.generate(FS, RealModelFiles.hadoop(again), DeepseekV3Preset.TINY, 42, Optional.empty());
        DeepseekV3Generator.generate(FS, RealModelFiles.hadoop(other), DeepseekV3Preset.TINY, 43, Optional.empty());
        for (String f : files(tiny)) {
            assertArrayEquals(Files.readAllBytes(tiny.resolve(f)), Files.readAllBytes(again.resolve(f)), f);
            boolean weights = f.endsWith(".safetensors");
            assertEquals(!weights, java.util.Arrays.equals(Files.readAllBytes(tiny.resolve(f)), Files.readAllBytes(other.resolve(f))), f);
        }
    }

    @Test
    void configHasEveryKeyOfThe671BConfigInItsOrder() throws IOException {
        ObjectNode real = RealModelFiles.config().json();
        ObjectNode generated = JsonFile.read(FS, RealModelFiles.hadoop(tiny.resolve("config.json")));
        assertEquals(fieldNames(real), fieldNames(generated));
        assertEquals(fieldNames((ObjectNode) real.get("rope_scaling")), fieldNames((ObjectNode) generated.get("rope_scaling")));
        assertEquals(real.get("quantization_config"), generated.get("quantization_config"));
        DeepseekV3Config c = DeepseekV3Config.from(HfConfig.of("config.json", generated));
        assertEquals(DeepseekV3Preset.TINY.config(), c);
        assertTrue(c.firstKDenseReplace() > 0 && c.isMoeLayer(c.numHiddenLayers() - 1), "dense layers lead, MoE follows");
        assertTrue(c.qLoraRank() > 0 && c.kvLoraRank() > 0 && c.nSharedExperts() == 1 && c.numNextnPredictLayers() == 1);
        assertTrue(c.topkGroup() < c.nGroup() && c.nRoutedExperts() % c.nGroup() == 0);
    }

    private static List<String> fieldNames(ObjectNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void checkpointHasTheRealLayout() throws IOException {
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(FS, RealModelFiles.hadoop(tiny))) {
            c.validate();
            assertEquals(3, c.shardNames().size());
            TensorInfo qa = c.tensor("model.layers.0.self_attn.q_a_proj.weight");
            assertEquals(SafetensorsDtype.F8_E4M3, qa.dtype());
            assertEquals(List.of(256L, 256L), qa.shape());
            TensorInfo kvA = c.tensor("model.layers.1.self_attn.kv_a_proj_with_mqa.weight_scale_inv");
            assertEquals(SafetensorsDtype.F32, kvA.dtype());
            assertEquals(List.of(3L, 2L), kvA.shape(), "288 rows make 3 blocks of 128, the last partial");
            assertEquals(SafetensorsDtype.BF16, c.tensor("model.layers.2.post_attention_layernorm.weight").dtype());
            assertEquals(SafetensorsDtype.BF16, c.tensor("model.layers.2.mlp.gate.weight").dtype());
            assertEquals(SafetensorsDtype.F32, c.tensor("model.layers.2.mlp.gate.e_score_correction_bias").dtype());
            assertEquals(SafetensorsDtype.BF16, c.tensor("model.embed_tokens.weight").dtype());
            assertEquals(List.of(256L, 512L), c.tensor("model.layers.3.eh_proj.weight").shape(), "the MTP layer");
            assertEquals(SafetensorsDtype.BF16, c.tensor("model.layers.3.shared_head.head.weight").dtype());
            assertTrue(c.tensorNames().contains("model.layers.3.mlp.experts.7.down_proj.weight_scale_inv"));
            assertFalse(c.tensorNames().contains("model.layers.0.mlp.gate.weight"), "layer 0 is dense");
            // the index lists every tensor, sorted by name, with the total data size
            SafetensorsIndex index = SafetensorsIndex.read(FS, RealModelFiles.hadoop(tiny.resolve(SafetensorsIndex.FILE_NAME)));
            assertEquals(index.weightMap().keySet().stream().sorted().toList(), List.copyOf(index.weightMap().keySet()));
            long data = 0;
            for (String name : c.tensorNames()) {
                data += c.tensor(name).byteLength();
            }
            assertEquals(data, ((Number) index.metadata().get("total_size")).longValue());
            // the mapping accepts it: every source present with its shape, only the MTP layer left over
            HfConfig config = HfConfig.read(FS, RealModelFiles.hadoop(tiny));
            ModelMapping m = Architectures.of(config).map(config, MlaLayout.SPLIT);
            m.validate(c);
        }
    }

    @Test
    void fp8WeightsAreBlockScaledAndHeavyTailed() throws IOException {
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(FS, RealModelFiles.hadoop(tiny))) {
            String name = "model.layers.0.mlp.down_proj.weight";
            byte[] codes = c.readRawRows(name, 0, 256);
            float[] w = c.readFloatRows(name, 0, 256);
            // every 128x128 block uses the FP8 range: its largest code is ±448
            for (int br = 0; br < 2; br++) {
                for (int bc = 0; bc < 4; bc++) {
                    int amax = 0;
                    for (int i = br * 128; i < br * 128 + 128; i++) {
                        for (int j = bc * 128; j < bc * 128 + 128; j++) {
                            amax = Math.max(amax, codes[i * 512 + j] & 0x7F);
                        }
                    }
                    assertEquals(0x7E, amax, "block " + br + "," + bc);
                }
            }
            double sum2 = 0;
            double max = 0;
            double[] colMax = new double[512];
            for (int i = 0; i < w.length; i++) {
                sum2 += (double) w[i] * w[i];
                max = Math.max(max, Math.abs(w[i]));
                colMax[i % 512] = Math.max(colMax[i % 512], Math.abs(w[i]));
            }
            double std = Math.sqrt(sum2 / w.length);
            assertTrue(max > 10 * std, "heavy tail: max " + max + " vs std " + std);
            long outlierColumns = java.util.Arrays.stream(colMax).filter(m -> m > 8 * std).count();
            assertTrue(outlierColumns >= 1 && outlierColumns < 40, "a few outlier channels: " + outlierColumns);
        }
    }

    @Test
    void builtInTokenizerIsByteLevelBpeLaidOutLikeDeepSeeks() throws IOException {
        HfTokenizer tok = HfTokenizer.read(FS, RealModelFiles.hadoop(tiny));
        HfConfig config = HfConfig.read(FS, RealModelFiles.hadoop(tiny));
        var md = tok.metadata(DeepseekV3.TOKENIZER_PRE, 512, config);
        List<String> tokens = ((GgufValue.StrArray) md.get("tokenizer.ggml.tokens").orElseThrow()).values();
        GgufValue.NumArray types = (GgufValue.NumArray) md.get("tokenizer.ggml.token_type").orElseThrow();
        assertEquals(List.of(TinyTokenizer.BOS, TinyTokenizer.EOS, TinyTokenizer.PAD, "!"), tokens.subList(0, 4));
        assertEquals(ByteLevelBpe.byteTokens(), tokens.subList(3, 259));
        assertTrue(tokens.contains("Ċ") && tokens.contains("Ġ"), "newline and space bytes");
        assertEquals(List.of(TinyTokenizer.USER, TinyTokenizer.ASSISTANT, TinyTokenizer.EOT, "[PAD483]"), tokens.subList(480, 484));
        assertEquals(List.of(3L, 3L, 3L, 1L), List.of(types.getLong(0), types.getLong(1), types.getLong(2), types.getLong(3)));
        assertEquals(1L, types.getLong(479));
        assertEquals(3L, types.getLong(480));
        assertEquals(5L, types.getLong(511));
        // every merge joins two tokens into a token, and the merges fill the BPE vocabulary
        List<String> merges = ((GgufValue.StrArray) md.get("tokenizer.ggml.merges").orElseThrow()).values();
        assertEquals(480 - 259, merges.size());
        List<String> vocab = tokens.subList(0, 480);
        for (String m : merges) {
            String[] parts = m.split(" ");
            assertEquals(2, parts.length, m);
            assertTrue(vocab.contains(parts[0]) && vocab.contains(parts[1]) && vocab.contains(parts[0] + parts[1]), m);
        }
        assertTrue(vocab.contains("Ġthe"), "common words become tokens");
        assertEquals(0, md.get("tokenizer.ggml.bos_token_id").orElseThrow().asLong());
        assertEquals(1, md.get("tokenizer.ggml.eos_token_id").orElseThrow().asLong());
        assertEquals(TinyTokenizer.CHAT_TEMPLATE, md.get("tokenizer.chat_template").orElseThrow().asString());
    }

    @Test
    void aRealTokenizerSetsTheVocabularySize(@TempDir Path dir) throws IOException {
        Path tokDir = RealModelFiles.modelDirectory(Files.createDirectory(dir.resolve("tok")));
        Files.delete(tokDir.resolve("config.json"));
        Path out = dir.resolve("model");
        DeepseekV3Generator.generate(FS, RealModelFiles.hadoop(out), DeepseekV3Preset.TINY, 1, Optional.of(RealModelFiles.hadoop(tokDir)));
        assertArrayEquals(Files.readAllBytes(tokDir.resolve("tokenizer.json")), Files.readAllBytes(out.resolve("tokenizer.json")));
        HfConfig config = HfConfig.read(FS, RealModelFiles.hadoop(out));
        assertEquals(129024, config.requireInt("vocab_size"), "128815 ids rounded up to a multiple of 256");
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(FS, RealModelFiles.hadoop(out))) {
            assertEquals(List.of(129024L, 256L), c.tensor("lm_head.weight").shape());
        }
    }
}
