package io.quantsweep.eval.backend.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.Architectures;
import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.BackendException.Reason;
import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufPlan;
import io.quantsweep.format.gguf.GgufReader;
import io.quantsweep.format.gguf.GgufSplit;
import io.quantsweep.format.gguf.GgufTensorSpec;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.gguf.GgufValueType;
import io.quantsweep.format.gguf.GgufWriter;
import io.quantsweep.format.gguf.TensorData;
import io.quantsweep.plan.KvCache;
import io.quantsweep.quant.GgmlType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files the bundled llama.cpp cannot run are refused before they reach its loader, with the reason
 * and the fix; synthetic DeepSeek-shaped GGUFs written by our {@link GgufWriter}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
class GgufPreflightTest {
    @TempDir
    Path dir;

    private Path deepSeek(String name, GgufMetadata extra, String... tensors) throws IOException {
        GgufMetadata md = new GgufMetadata();
        md.put("general.architecture", GgufValue.string("deepseek2"));
        md.put("general.name", GgufValue.string("tiny-deepseek"));
        md.put("deepseek2.context_length", GgufValue.u32(4096));
        md.put("tokenizer.ggml.pre", GgufValue.string("deepseek-v3"));
        extra.asMap().forEach(md::put);
        List<GgufTensorSpec> specs = Arrays.stream(tensors).map(t -> GgufTensorSpec.of(t, GgmlType.F32, 8, 4)).toList();
        Path file = dir.resolve(name);
        GgufWriter.write(file, GgufPlan.of(md, specs), t -> TensorData.of(new byte[Math.toIntExact(t.byteSize())]));
        return file;
    }

    /** The architecture KVs our converter writes for DeepSeek-V3's own config.json, legacy MLA layout. */
    private static GgufMetadata deepSeekV3Legacy() throws IOException {
        return Architectures.of(RealModelFiles.config()).map(RealModelFiles.config(), MlaLayout.LEGACY).metadata();
    }

    private static BackendException refused(Path file) {
        BackendException e = assertThrows(BackendException.class, () -> EmbeddedConfig.of(file.toString()).open());
        assertEquals(Reason.UNSUPPORTED_MODEL, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("v0.5.0-de3ff81"), e.getMessage());
        return e;
    }

    @Test
    void aMissingFileIsSaidToBeMissing() {
        Path file = dir.resolve("no-such-model.gguf");
        BackendException e = assertThrows(BackendException.class, () -> GgufPreflight.check(file, "v0.5.0-de3ff81"));
        assertEquals(Reason.UNSUPPORTED_MODEL, e.reason());
        assertTrue(e.getMessage().startsWith("cannot read model " + file + ": no such file"), e.getMessage());
    }

    @Test
    void aSplitSetIsCheckedWholeAndAMissingShardNamed() throws IOException {
        // shards of one tensor each
        Path first = deepSeek("split-mla.gguf", new GgufMetadata(),
                "token_embd.weight", "blk.0.attn_kv_a_mqa.weight", "blk.0.attn_k_b.weight");
        List<Path> shards;
        try (GgufReader whole = GgufReader.open(first)) {
            shards = GgufSplit.split(whole, dir.resolve("tiny"), new GgufSplit.Options(GgufSplit.Limit.maxTensors(1), false));
        }
        long bytes = 0;
        for (Path shard : shards) {
            bytes += Files.size(shard);
        }
        assertEquals(bytes, GgufPreflight.check(shards.get(0), "v0.5.0-de3ff81").bytes(), "every shard's bytes");

        Files.delete(shards.get(1));
        String missing = refused(shards.get(0)).getMessage();
        assertTrue(missing.contains("its gguf-split set is not whole: ") && missing.contains("shard 2 of 3")
                && missing.contains("with all N shards of one set beside it"), missing);
        assertTrue(refused(shards.get(2)).getMessage().contains("its gguf-split set is not whole: "));
    }

    @Test
    void bothMlaLayoutsPassThePreflight() throws IOException, BackendException {
        for (String tensor : List.of("blk.0.attn_kv_b.weight", "blk.0.attn_k_b.weight")) {
            Path file = deepSeek(tensor + ".gguf", new GgufMetadata(), "token_embd.weight", tensor);
            GgufPreflight.Accepted accepted = GgufPreflight.check(file, "v0.5.0-de3ff81");
            assertEquals("tiny-deepseek", accepted.name());
            assertEquals(Files.size(file), accepted.bytes());
            assertEquals(Map.of(), accepted.warnings());
        }
    }

    @Test
    void theKvCacheIsWhatLlamaCppAllocates() throws BackendException, IOException {
        Path tinyLlama = EmbeddedBackendTest.sample("tiny-llama-256x2-Q3_K_M.gguf");
        GgufPreflight.Accepted llama = GgufPreflight.check(tinyLlama, "v0.5.0-de3ff81");
        assertEquals(512, llama.trainedContext());
        // llama.cpp v0.5.0's log for this file at 256 tokens: "size = 0.25 MiB (256 cells, 2 layers, 1/1 seqs),
        // K (f16): 0.12 MiB, V (f16): 0.12 MiB"
        assertEquals(256 * 1024, llama.kvBytesPerToken() * 256);
        assertEquals(512, llama.context(0));
        assertEquals(2048, llama.context(2048));
        assertEquals(1024, llama.context(1000), "llama.cpp rounds the context up to a multiple of 256");
        assertEquals(256, llama.context(1));

        // DeepSeek-V3 as we convert it in the legacy layout: the full cache of the plan's memory model,
        // 61 × 128 × (192 + 128) × 2
        GgufMetadata v3 = deepSeekV3Legacy();
        assertEquals(4_997_120, GgufPreflight.kvBytesPerToken(v3, "deepseek2"));
        assertEquals(KvCache.of(v3).bytes(KvCache.Kind.FULL, 32_768), GgufPreflight.kvBytesPerToken(v3, "deepseek2") * 32_768);

        // in the split layout, the compressed cache: 61 × (512 + 64) × 2, keys only (the values are a view of them)
        GgufMetadata v3Split = Architectures.of(RealModelFiles.config()).map(RealModelFiles.config(), MlaLayout.SPLIT).metadata();
        assertEquals(70_272, GgufPreflight.kvBytesPerToken(v3Split, "deepseek2"));
        assertEquals(KvCache.of(v3Split).bytes(KvCache.Kind.MLA, 32_768), GgufPreflight.kvBytesPerToken(v3Split, "deepseek2") * 32_768);

        v3.put("deepseek2.attention.head_count_kv", GgufValue.intArray(GgufValueType.UINT32, 128));
        assertEquals(0, GgufPreflight.kvBytesPerToken(v3, "deepseek2"), "per-layer head counts: not estimated");
    }

    @Test
    void aKvCacheNoMachineHoldsIsRefusedBeforeTheModelLoads() throws IOException {
        // DeepSeek-V3's full cache, 4.77 MiB per token, at 2^31 - 1 tokens: 9.5 PiB
        GgufMetadata v3 = deepSeekV3Legacy();
        v3.put("deepseek2.context_length", GgufValue.u32(Integer.MAX_VALUE));
        Path file = deepSeek("long.gguf", v3, "blk.0.attn_kv_b.weight");
        for (var ask : List.<Executable>of(() -> EmbeddedConfig.of(file.toString()).preflight(),
                () -> EmbeddedConfig.of(file.toString()).open())) {
            BackendException e = assertThrows(BackendException.class, ask);
            assertEquals(Reason.BAD_CONFIG, e.reason());
            assertTrue(e.getMessage().contains("its KV cache at the model's own context of 2,147,483,647 tokens "
                    + "(9994240.0 GiB, f16) exceeds this machine's memory"), e.getMessage());
        }
        v3.put("deepseek2.context_length", GgufValue.u32(1L << 31));
        assertTrue(refused(deepSeek("longer.gguf", v3, "blk.0.attn_kv_b.weight")).getMessage()
                .contains("its deepseek2.context_length 2147483648 is no context llama.cpp can give it"));
    }

    @Test
    void theKvCacheBeyondMemoryIsRefusedAndWeightsWithItWarnedOf() throws BackendException {
        long gib = 1L << 30;
        Path file = Path.of("/models/m.gguf");
        // 30 GiB of weights whose cache takes 1 MiB per token: 32 GiB at the model's 32,768 tokens
        GgufPreflight.Accepted model = new GgufPreflight.Accepted("m", 30 * gib, "id", 32_768, 1 << 20, new TreeMap<>());
        assertEquals(Optional.empty(), GgufPreflight.memory(file, "b1", model, 2048, 32 * gib));
        assertEquals(Optional.empty(), GgufPreflight.memory(file, "b1", model, 0, 0), "unknown memory: nothing said");
        assertEquals(Optional.of("the weights (30.0 GiB) and the KV cache at 32,768 tokens (32.0 GiB) exceed this "
                + "machine's memory (48.0 GiB): llama.cpp reads the weights from disk for every token; give the executor "
                + "a machine with more memory or the variant a smaller context-size, or serve the model with llama-server"),
                GgufPreflight.memory(file, "b1", model, 0, 48 * gib));

        BackendException e = assertThrows(BackendException.class,
                () -> GgufPreflight.memory(file, "b1", model, 0, 31 * gib + (300 << 20)));
        assertEquals(Reason.BAD_CONFIG, e.reason());
        assertEquals("embedded llama.cpp b1 cannot run /models/m.gguf: its KV cache at the model's own context of "
                + "32,768 tokens (32.0 GiB, f16) exceeds this machine's memory (31.3 GiB). Fix: give the variant a "
                + "context-size of at most 32,000 tokens (1,280 to keep the weights in memory too), multiples of the 256 "
                + "llama.cpp rounds a context to [BAD_CONFIG]",
                e.getMessage());
        e = assertThrows(BackendException.class, () -> GgufPreflight.memory(file, "b1", model, 40_000, 31 * gib));
        assertTrue(e.getMessage().contains("its KV cache at a context of 40,192 tokens (39.3 GiB, f16)"), e.getMessage());
    }

    @Test
    void theIdentityIsTheSameForACopyAndNamesEachShardOfASet() throws IOException, BackendException {
        Path file = deepSeek("legacy-mla.gguf", new GgufMetadata(), "token_embd.weight", "blk.0.attn_kv_b.weight");
        String identity = GgufPreflight.check(file, "v0.5.0-de3ff81").identity();
        String sha;
        try (GgufReader r = GgufReader.open(file)) {
            sha = r.fingerprint();
            assertEquals(64, sha.length());
        }
        assertEquals(Files.size(file) + " bytes, sha256 " + sha.substring(0, 16), identity);
        Path copy = Files.copy(file, dir.resolve("copy.gguf"));
        assertEquals(identity, GgufPreflight.check(copy, "v0.5.0-de3ff81").identity(), "the path is not part of it");

        // same size, same tensor bytes, one metadata value other: another model file
        GgufMetadata renamed = new GgufMetadata();
        renamed.put("general.name", GgufValue.string("tiny-deepseeK"));
        Path other = deepSeek("other.gguf", renamed, "token_embd.weight", "blk.0.attn_kv_b.weight");
        assertEquals(Files.size(file), Files.size(other));
        assertNotEquals(identity, GgufPreflight.check(other, "v0.5.0-de3ff81").identity());
        // same header, other weights (quantized again from another checkpoint revision)
        Path reweighed = Files.copy(file, dir.resolve("reweighed.gguf"));
        try (RandomAccessFile raf = new RandomAccessFile(reweighed.toFile(), "rw")) {
            raf.seek(raf.length() - 1);
            raf.write(1);
        }
        assertNotEquals(identity, GgufPreflight.check(reweighed, "v0.5.0-de3ff81").identity());

        List<Path> shards;
        try (GgufReader whole = GgufReader.open(file)) {
            shards = GgufSplit.split(whole, dir.resolve("tiny"), new GgufSplit.Options(GgufSplit.Limit.maxTensors(1), false));
        }
        String set = GgufPreflight.check(shards.get(0), "v0.5.0-de3ff81").identity();
        assertTrue(set.matches((Files.size(shards.get(0)) + Files.size(shards.get(1))) + " bytes, sha256 "
                + "[0-9a-f]{16},[0-9a-f]{16}"), set);
    }

    @Test
    void unknownOrMissingPreTokenizerIsRefused() throws IOException {
        GgufMetadata other = new GgufMetadata();
        other.put("tokenizer.ggml.pre", GgufValue.string("deepseek-v3-new"));
        String message = refused(deepSeek("pre.gguf", other, "blk.0.attn_kv_b.weight")).getMessage();
        assertTrue(message.contains("'deepseek-v3-new'") && message.contains("tokenizer.ggml.pre = deepseek-v3"), message);

        Path none = dir.resolve("no-pre.gguf");
        GgufMetadata md = new GgufMetadata();
        md.put("general.architecture", GgufValue.string("deepseek2"));
        md.put("deepseek2.context_length", GgufValue.u32(4096));
        GgufWriter.write(none, GgufPlan.of(md, List.of()), t -> TensorData.of(new byte[0]));
        assertTrue(refused(none).getMessage().contains("no tokenizer.ggml.pre"));
    }

    @Test
    void aModelWithoutItsTrainingContextIsRefused() throws IOException {
        // llama.cpp fails on it with only "could not load model" (key not found in its log)
        Path file = dir.resolve("no-context.gguf");
        GgufMetadata md = new GgufMetadata();
        md.put("general.architecture", GgufValue.string("llama"));
        GgufWriter.write(file, GgufPlan.of(md, List.of()), t -> TensorData.of(new byte[0]));
        assertTrue(refused(file).getMessage().contains("it has no llama.context_length, which llama.cpp needs"));
    }

    @Test
    void notAGgufFileIsRefused() throws IOException {
        Path junk = Files.write(dir.resolve("junk.gguf"), new byte[] {'G', 'G', 'U', 'X', 3, 0, 0, 0});
        assertTrue(refused(junk).getMessage().contains("not a valid GGUF"));
    }
}
