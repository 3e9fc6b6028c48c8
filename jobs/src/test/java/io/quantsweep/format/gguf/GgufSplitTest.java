package io.quantsweep.format.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantsweep.format.gguf.GgufSplit.Limit;
import io.quantsweep.format.gguf.GgufSplit.Options;
import io.quantsweep.quant.GgmlType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gguf-split compatibility: naming, size parsing, tensor distribution, shard headers, and reading a set back. */
class GgufSplitTest {
    @TempDir
    Path dir;

    @Test
    void shardsAreNamedAsLlamaSplitPath() {
        assertEquals(dir.resolve("model-00001-of-00003.gguf"), GgufSplit.shardPath(dir.resolve("model"), 0, 3));
        assertEquals(dir.resolve("m-00012-of-00012.gguf"), GgufSplit.shardPath(dir.resolve("m"), 11, 12));
        assertThrows(IllegalArgumentException.class, () -> GgufSplit.shardPath(dir.resolve("m"), 3, 3));
    }

    @Test
    void sizesAreDecimalMegaAndGigaBytes() {
        assertEquals(Limit.maxBytes(500_000_000L), Limit.parseSize("500M"));
        assertEquals(Limit.maxBytes(2_000_000_000L), Limit.parseSize("2G"));
        assertThrows(IllegalArgumentException.class, () -> Limit.parseSize("2K"));
        assertThrows(IllegalArgumentException.class, () -> Limit.parseSize("2"));
        assertThrows(IllegalArgumentException.class, () -> Limit.parseSize("xM"));
    }

    private static List<GgufTensorSpec> f32Tensors(long... elements) {
        List<GgufTensorSpec> out = new ArrayList<>();
        for (int i = 0; i < elements.length; i++) {
            out.add(GgufTensorSpec.of("t" + i, GgmlType.F32, elements[i]));
        }
        return out;
    }

    private static List<Integer> sizes(List<List<GgufTensorSpec>> shards) {
        return shards.stream().map(List::size).toList();
    }

    @Test
    void tensorLimitStartsANewShardEveryNTensors() {
        List<GgufTensorSpec> t = f32Tensors(new long[21]);
        assertEquals(List.of(7, 7, 7), sizes(GgufSplit.distribute(t, new Options(Limit.maxTensors(7), false))));
        assertEquals(List.of(8, 8, 5), sizes(GgufSplit.distribute(t, new Options(Limit.maxTensors(8), false))));
        assertEquals(List.of(21), sizes(GgufSplit.distribute(t, Options.DEFAULT)));
        assertEquals(List.of(0, 7, 7, 7), sizes(GgufSplit.distribute(t, new Options(Limit.maxTensors(7), true))));
    }

    @Test
    void sizeLimitCountsPaddedTensorBytes() {
        // 25 F32 = 100 bytes, padded to 128; two fit in 256, a third does not
        assertEquals(List.of(2, 1), sizes(GgufSplit.distribute(f32Tensors(25, 25, 25), new Options(Limit.maxBytes(256), false))));
        // 255 bytes is not enough for two padded tensors
        assertEquals(List.of(1, 1, 1), sizes(GgufSplit.distribute(f32Tensors(25, 25, 25), new Options(Limit.maxBytes(255), false))));
        // a tensor above the limit gets a shard of its own
        assertEquals(List.of(1, 1, 1), sizes(GgufSplit.distribute(f32Tensors(25, 250, 25), new Options(Limit.maxBytes(256), false))));
    }

    @Test
    void aFirstTensorAboveTheSizeLimitIsAnErrorAsUpstream() {
        assertThrows(IllegalArgumentException.class,
                () -> GgufSplit.distribute(f32Tensors(250, 25), new Options(Limit.maxBytes(256), false)));
        assertThrows(IllegalArgumentException.class,
                () -> GgufSplit.distribute(f32Tensors(250, 25), new Options(Limit.maxBytes(256), true)));
    }

    @Test
    void shardKvsAreTheModelKvsThenSplitNoTensorsCountAndCount() {
        GgufMetadata md = new GgufMetadata().put("general.architecture", GgufValue.string("llama"));
        List<GgufPlan> plans = GgufSplit.plan(md, f32Tensors(8, 8, 8), new Options(Limit.maxTensors(2), false));
        assertEquals(2, plans.size());
        assertEquals(List.of("general.architecture", "split.no", "split.tensors.count", "split.count"), plans.get(0).metadata().keys());
        assertEquals(List.of("split.no", "split.tensors.count", "split.count"), plans.get(1).metadata().keys());
        GgufMetadata second = plans.get(1).metadata();
        assertEquals(GgufValue.u16(1), second.get("split.no").orElseThrow());
        assertEquals(GgufValue.i32(3), second.get("split.tensors.count").orElseThrow());
        assertEquals(GgufValue.u16(2), second.get("split.count").orElseThrow());
    }

    @Test
    void reproducesLlamaGgufSplitShardHeadersByteForByte() throws IOException {
        // the F32 sample's header with zeroed tensor data: shard headers do not depend on the data
        byte[] header = Files.readAllBytes(GgufFixtures.sample("tiny-llama-256x2-F32.gguf.header"));
        Path input = dir.resolve("tiny-llama-256x2-F32.gguf");
        try (OutputStream out = Files.newOutputStream(input)) {
            out.write(header);
            out.write(new byte[6_844_224 - header.length]);
        }
        List<Path> shards;
        try (GgufReader r = GgufReader.open(input)) {
            shards = GgufSplit.split(r, dir.resolve("tiny-llama-256x2-F32-split"), new Options(Limit.maxTensors(7), false));
        }
        long[] upstreamSizes = {1_859_680, 2_098_720, 2_886_144};
        assertEquals(3, shards.size());
        for (int i = 0; i < 3; i++) {
            String name = "tiny-llama-256x2-F32-split-%05d-of-00003.gguf".formatted(i + 1);
            assertEquals(name, shards.get(i).getFileName().toString());
            byte[] upstream = Files.readAllBytes(GgufFixtures.sample(name + ".header"));
            byte[] ours = Files.readAllBytes(shards.get(i));
            assertArrayEquals(upstream, Arrays.copyOf(ours, upstream.length), name);
            assertEquals(upstreamSizes[i], ours.length, name);
        }
    }

    @Test
    void aSplitSetReadsBackAsTheOriginalModel() throws IOException {
        List<GgufTensorSpec> specs = GgufFixtures.seededSpecs();
        Map<String, byte[]> data = GgufFixtures.seededData(specs);
        Path input = dir.resolve("in.gguf");
        Files.write(input, GgufFixtures.write(GgufPlan.of(GgufFixtures.allTypesMetadata(), specs), data));
        List<Path> shards;
        try (GgufReader r = GgufReader.open(input)) {
            // padded sizes 384, 160 | 576, 32, 32 | 640 against 1024 bytes, behind a metadata-only shard
            shards = GgufSplit.split(r, dir.resolve("out"), new Options(Limit.maxBytes(1024), true));
        }
        assertEquals(dir.resolve("out-00004-of-00004.gguf"), shards.get(3));
        try (GgufSplitSet set = GgufSplitSet.open(shards.get(0))) {
            assertEquals(List.of(0, 2, 3, 1), set.shards().stream().map(s -> s.header().tensors().size()).toList());
            assertEquals(specs.stream().map(GgufTensorSpec::name).toList(), GgufFixtures.names(set.tensors()));
            GgufMetadata md = set.metadata();
            md.remove("split.no");
            md.remove("split.count");
            md.remove("split.tensors.count");
            assertEquals(GgufFixtures.allTypesMetadata(), md);
            for (GgufTensorSpec s : specs) {
                assertArrayEquals(data.get(s.name()), set.readTensor(s.name()), s.name());
            }
        }
    }

    @Test
    void anUnsplitFileIsASetOfOne() throws IOException {
        try (GgufSplitSet set = GgufSplitSet.open(GgufFixtures.sample("tiny-llama-256x2-Q3_K_M.gguf"))) {
            assertEquals(1, set.shards().size());
            assertEquals(21, set.tensors().size());
        }
    }
}
