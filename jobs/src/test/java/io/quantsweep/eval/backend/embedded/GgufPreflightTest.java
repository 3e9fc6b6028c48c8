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
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("b4916-c6af2161"), e.getMessage());
        return e;
    }

    @Test
    void aMissingFileIsSaidToBeMissing() {
        Path file = dir.resolve("no-such-model.gguf");
        BackendException e = assertThrows(BackendException.class, () -> GgufPreflight.check(file, "b4916-c6af2161"));
        assertEquals(Reason.UNSUPPORTED_MODEL, e.reason());
        assertTrue(e.getMessage().startsWith("cannot read model " + file + ": no such file"), e.getMessage());
    }

    @Test
    void splitMlaLayoutIsRefusedWithTheConverterFlag() throws IOException {
        Path file = deepSeek("split-mla.gguf", new GgufMetadata(),
                "token_embd.weight", "blk.0.attn_kv_a_mqa.weight", "blk.0.attn_k_b.weight", "blk.0.attn_v_b.weight");
        String message = refused(file).getMessage();
        assertTrue(message.contains("'blk.0.attn_k_b.weight'") && message.contains("split MLA layout")
                && message.contains("--mla legacy"), message);
    }

    @Test
    void aSplitSetIsCheckedWholeAndAMissingShardNamed() throws IOException {
        // shards of one tensor each: the split-layout tensor is in the third shard, not the first
        Path first = deepSeek("split-mla.gguf", new GgufMetadata(),
                "token_embd.weight", "blk.0.attn_kv_a_mqa.weight", "blk.0.attn_k_b.weight");
        List<Path> shards;
        try (GgufReader whole = GgufReader.open(first)) {
            shards = GgufSplit.split(whole, dir.resolve("tiny"), new GgufSplit.Options(GgufSplit.Limit.maxTensors(1), false));
        }
        assertTrue(refused(shards.get(0)).getMessage().contains("'blk.0.attn_k_b.weight'"));

        Files.delete(shards.get(1));
        String missing = refused(shards.get(0)).getMessage();
        assertTrue(missing.contains("its gguf-split set is not whole: ") && missing.contains("shard 2 of 3")
                && missing.contains("with all N shards of one set beside it"), missing);
        assertTrue(refused(shards.get(2)).getMessage().contains("its gguf-split set is not whole: "));
    }

    @Test
    void legacyLayoutPassesThePreflight() throws IOException, BackendException {
        Path file = deepSeek("legacy-mla.gguf", new GgufMetadata(), "token_embd.weight", "blk.0.attn_kv_b.weight");
        GgufPreflight.Accepted accepted = GgufPreflight.check(file, "b4916-c6af2161");
        assertEquals("tiny-deepseek", accepted.name());
        assertEquals(Files.size(file), accepted.bytes());
        assertEquals(Map.of(), accepted.warnings());
    }

    @Test
    void theKvCacheIsWhatLlamaCppAllocates() throws BackendException, IOException {
        Path tinyLlama = EmbeddedBackendTest.sample("tiny-llama-256x2-Q3_K_M.gguf");
        GgufPreflight.Accepted llama = GgufPreflight.check(tinyLlama, "b4916-c6af2161");
        assertEquals(512, llama.trainedContext());
        // b4916's log for this file at 512 tokens: "KV self size = 0.50 MiB, K (f16): 0.25 MiB, V (f16): 0.25 MiB"
        assertEquals(512 * 1024, llama.kvBytesPerToken() * 512);
        assertEquals(512, llama.context(0));
        assertEquals(2048, llama.context(2048));
        assertEquals(1024, llama.context(1000), "b4916 rounds the context up to a multiple of 32");
        assertEquals(1, llama.addedTokens(), "add_bos_token true, add_eos_token false");

        // DeepSeek-V3 as we convert it in the legacy layout: the full cache of the plan's memory model,
        // 61 × 128 × (192 + 128) × 2
        GgufMetadata v3 = deepSeekV3Legacy();
        assertEquals(4_997_120, GgufPreflight.kvBytesPerToken(v3, "deepseek2"));
        assertEquals(KvCache.of(v3).bytes(KvCache.Kind.FULL, 32_768), GgufPreflight.kvBytesPerToken(v3, "deepseek2") * 32_768);

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
        GgufPreflight.Accepted model = new GgufPreflight.Accepted("m", 30 * gib, "id", 32_768, 1 << 20, 1, new TreeMap<>());
        assertEquals(Optional.empty(), GgufPreflight.memory(file, "b1", model, 2048, 32 * gib));
        assertEquals(Optional.empty(), GgufPreflight.memory(file, "b1", model, 0, 0), "unknown memory: nothing said");
        assertEquals(Optional.of("the weights (30.0 GiB) and the KV cache at 32,768 tokens (32.0 GiB) exceed this "
                + "machine's memory (48.0 GiB): llama.cpp reads the weights from disk for every token; give the executor "
                + "a machine with more memory or the variant a smaller context-size, or serve the model with llama-server"),
                GgufPreflight.memory(file, "b1", model, 0, 48 * gib));

        BackendException e = assertThrows(BackendException.class,
                () -> GgufPreflight.memory(file, "b1", model, 0, 31 * gib));
        assertEquals(Reason.BAD_CONFIG, e.reason());
        assertEquals("embedded llama.cpp b1 cannot run /models/m.gguf: its KV cache at the model's own context of "
                + "32,768 tokens (32.0 GiB, f16) exceeds this machine's memory (31.0 GiB). Fix: give the variant a "
                + "context-size of at most 31,744 tokens (1,024 to keep the weights in memory too) [BAD_CONFIG]",
                e.getMessage());
        e = assertThrows(BackendException.class, () -> GgufPreflight.memory(file, "b1", model, 40_000, 31 * gib));
        assertTrue(e.getMessage().contains("its KV cache at a context of 40,000 tokens (39.1 GiB, f16)"), e.getMessage());
    }

    @Test
    void theIdentityIsTheSameForACopyAndNamesEachShardOfASet() throws IOException, BackendException {
        Path file = deepSeek("legacy-mla.gguf", new GgufMetadata(), "token_embd.weight", "blk.0.attn_kv_b.weight");
        String identity = GgufPreflight.check(file, "b4916-c6af2161").identity();
        String sha;
        try (GgufReader r = GgufReader.open(file)) {
            sha = r.fingerprint();
            assertEquals(64, sha.length());
        }
        assertEquals(Files.size(file) + " bytes, sha256 " + sha.substring(0, 16), identity);
        Path copy = Files.copy(file, dir.resolve("copy.gguf"));
        assertEquals(identity, GgufPreflight.check(copy, "b4916-c6af2161").identity(), "the path is not part of it");

        // same size, same tensor bytes, one metadata value other: another model file
        GgufMetadata renamed = new GgufMetadata();
        renamed.put("general.name", GgufValue.string("tiny-deepseeK"));
        Path other = deepSeek("other.gguf", renamed, "token_embd.weight", "blk.0.attn_kv_b.weight");
        assertEquals(Files.size(file), Files.size(other));
        assertNotEquals(identity, GgufPreflight.check(other, "b4916-c6af2161").identity());
        // same header, other weights (quantized again from another checkpoint revision)
        Path reweighed = Files.copy(file, dir.resolve("reweighed.gguf"));
        try (RandomAccessFile raf = new RandomAccessFile(reweighed.toFile(), "rw")) {
            raf.seek(raf.length() - 1);
            raf.write(1);
        }
        assertNotEquals(identity, GgufPreflight.check(reweighed, "b4916-c6af2161").identity());

        List<Path> shards;
        try (GgufReader whole = GgufReader.open(file)) {
            shards = GgufSplit.split(whole, dir.resolve("tiny"), new GgufSplit.Options(GgufSplit.Limit.maxTensors(1), false));
        }
        String set = GgufPreflight.check(shards.get(0), "b4916-c6af2161").identity();
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
        // llama.cpp b4916 fails on it with only "could not load model" (key not found in its log)
        Path file = dir.resolve("no-context.gguf");
        GgufMetadata md = new GgufMetadata();
        md.put("general.architecture", GgufValue.string("llama"));
        GgufWriter.write(file, GgufPlan.of(md, List.of()), t -> TensorData.of(new byte[0]));
        assertTrue(refused(file).getMessage().contains("it has no llama.context_length, which llama.cpp needs"));
    }

    @Test
    void groupLimitedRoutingIsAcceptedWithAWarningButOneOrAllGroupsAreNotWarned() throws IOException, BackendException {
        GgufMetadata groups = new GgufMetadata();
        groups.put("deepseek2.expert_group_count", GgufValue.u32(8));
        groups.put("deepseek2.expert_group_used_count", GgufValue.u32(4));
        GgufPreflight.Accepted accepted = GgufPreflight.check(deepSeek("groups.gguf", groups, "blk.0.attn_kv_b.weight"),
                "b4916-c6af2161");
        assertEquals(List.of(GgufPreflight.ROUTING), List.copyOf(accepted.warnings().keySet()));
        String warning = accepted.warnings().get(GgufPreflight.ROUTING);
        assertTrue(warning.startsWith("groups ignored by llama.cpp b4916-c6af2161")
                && warning.contains("expert_group_count = 8") && warning.contains("expert_group_used_count = 4"), warning);

        GgufMetadata one = new GgufMetadata();
        one.put("deepseek2.expert_group_count", GgufValue.u32(1));
        one.put("deepseek2.expert_group_used_count", GgufValue.u32(1));
        assertEquals(Map.of(), GgufPreflight.check(deepSeek("one-group.gguf", one, "blk.0.attn_kv_b.weight"),
                "b4916-c6af2161").warnings());
        GgufMetadata all = new GgufMetadata();
        all.put("deepseek2.expert_group_count", GgufValue.u32(4));
        all.put("deepseek2.expert_group_used_count", GgufValue.u32(4));
        assertEquals(Map.of(), GgufPreflight.check(deepSeek("all-groups.gguf", all, "blk.0.attn_kv_b.weight"),
                "b4916-c6af2161").warnings());
    }

    @Test
    void notAGgufFileIsRefused() throws IOException {
        Path junk = Files.write(dir.resolve("junk.gguf"), new byte[] {'G', 'G', 'U', 'X', 3, 0, 0, 0});
        assertTrue(refused(junk).getMessage().contains("not a valid GGUF"));
    }

    @Test
    void theBuildComesFromTheLibraryFile() throws IOException, BackendException {
        assertEquals("b4916-c6af2161", EmbeddedEngine.build());
        Path notElf = Files.write(dir.resolve("libjllama.so"), new byte[128]);
        IOException e = assertThrows(IOException.class, () -> ElfBuildInfo.read(notElf));
        assertTrue(e.getMessage().contains(notElf.toString()) && e.getMessage().contains("not an ELF file"), e.getMessage());
    }
}
