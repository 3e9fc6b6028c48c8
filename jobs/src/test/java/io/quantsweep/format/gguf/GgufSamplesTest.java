package io.quantsweep.format.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reads real files written by llama.cpp and by another tool; expected values are from gguf-samples/README.md. */
class GgufSamplesTest {

    @Test
    void readsALlamaQuantizeOutput() throws IOException {
        try (GgufReader r = GgufReader.open(GgufFixtures.sample("tiny-llama-256x2-Q3_K_M.gguf"))) {
            GgufHeader h = r.header();
            assertEquals(3, h.version());
            assertEquals(932_192, h.fileSize());
            assertEquals(23_392, h.dataOffset());
            assertEquals(32, h.alignment());
            assertEquals(23, h.metadata().size());
            assertEquals("general.architecture", h.metadata().keys().get(0));
            assertEquals(List.of("general.quantization_version", "general.file_type"), h.metadata().keys().subList(21, 23));
            assertEquals("llama", h.requireString("general.architecture"));
            assertEquals("tiny-random-llama-256x2", h.requireString("general.name"));
            assertEquals(12, h.requireInt("general.file_type", GgufValueType.UINT32));
            assertEquals(2, h.requireInt("general.quantization_version", GgufValueType.UINT32));
            assertEquals(1e-5f, (float) h.require("llama.attention.layer_norm_rms_epsilon", GgufValueType.FLOAT32).asDouble());
            assertTrue(h.require("tokenizer.ggml.add_bos_token", GgufValueType.BOOL).asBool());
            GgufValue.StrArray tokens = (GgufValue.StrArray) h.require("tokenizer.ggml.tokens", GgufValueType.ARRAY);
            assertEquals(1024, tokens.length());
            assertEquals(List.of("<unk>", "<s>", "</s>"), tokens.values().subList(0, 3));
            GgufValue.NumArray types = (GgufValue.NumArray) h.require("tokenizer.ggml.token_type", GgufValueType.ARRAY);
            assertEquals(GgufValueType.INT32, types.elementType());
            assertEquals(List.of(2L, 3L, 3L), List.of(types.getLong(0), types.getLong(1), types.getLong(2)));

            assertEquals(21, h.tensors().size());
            assertTensor(h, 0, "output.weight", GgmlType.Q6_K, new long[] {256, 1024}, 215_040);
            assertTensor(h, 2, "token_embd.weight", GgmlType.Q3_K, new long[] {256, 1024}, 112_640);
            assertTensor(h, 7, "blk.0.attn_v.weight", GgmlType.Q5_K, new long[] {256, 128}, 22_528);
            assertTensor(h, 8, "blk.0.ffn_down.weight", GgmlType.Q4_K, new long[] {512, 256}, 73_728);
            assertTensor(h, 20, "blk.1.ffn_up.weight", GgmlType.Q3_K, new long[] {256, 512}, 56_320);

            // the generator set every norm vector to 1.0, and llama-quantize keeps norms in F32
            byte[] norm = r.readTensor("output_norm.weight");
            float[] ones = new float[256];
            Arrays.fill(ones, 1f);
            assertArrayEquals(ones, LittleEndian.toFloats(norm, 0, 256));
        }
    }

    @Test
    void readsAFileFromAnotherWriter() throws IOException {
        try (GgufReader r = GgufReader.open(GgufFixtures.sample("llama-2-tiny-random.gguf"))) {
            GgufHeader h = r.header();
            assertEquals(1_750_560, h.fileSize());
            assertEquals(724_416, h.dataOffset());
            assertEquals(18, h.metadata().size());
            assertEquals("LLaMA v2", h.requireString("general.name"));
            assertEquals(1, h.requireInt("general.file_type", GgufValueType.UINT32));
            GgufValue.Array tokens = (GgufValue.Array) h.require("tokenizer.ggml.tokens", GgufValueType.ARRAY);
            assertEquals(32_000, tokens.length());
            assertEquals(12, h.tensors().size());
            assertTensor(h, 0, "token_embd.weight", GgmlType.F16, new long[] {8, 32000}, 512_000);
            assertTensor(h, 7, "blk.0.ffn_down.weight", GgmlType.F16, new long[] {32, 8}, 512);
            assertTensor(h, 11, "output.weight", GgmlType.F16, new long[] {8, 32000}, 512_000);
            // a range read in the middle of the last tensor matches the whole-tensor read
            GgufTensorInfo out = r.tensor("output.weight");
            byte[] all = r.readTensor("output.weight");
            byte[] part = new byte[100];
            r.readTensor(out, 123_456, part, 0, 100);
            assertArrayEquals(Arrays.copyOfRange(all, 123_456, 123_556), part);
        }
    }

    @Test
    void readsThroughAPlainSeekableChannelAsThroughAFileChannel() throws IOException {
        Path file = GgufFixtures.sample("tiny-llama-256x2-Q3_K_M.gguf");
        SeekableByteChannel fileChannel = Files.newByteChannel(file);
        // hides FileChannel, as a channel from another file system would, so reads go through position + read
        SeekableByteChannel plain = new SeekableByteChannel() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                return fileChannel.read(dst);
            }

            @Override
            public int write(ByteBuffer src) {
                throw new NonWritableChannelException();
            }

            @Override
            public long position() throws IOException {
                return fileChannel.position();
            }

            @Override
            public SeekableByteChannel position(long p) throws IOException {
                fileChannel.position(p);
                return this;
            }

            @Override
            public long size() throws IOException {
                return fileChannel.size();
            }

            @Override
            public SeekableByteChannel truncate(long size) {
                throw new NonWritableChannelException();
            }

            @Override
            public boolean isOpen() {
                return fileChannel.isOpen();
            }

            @Override
            public void close() throws IOException {
                fileChannel.close();
            }
        };
        try (GgufReader viaPlain = GgufReader.open(ByteSource.of(plain, file.toString()), GgufReader.Limits.DEFAULT);
             GgufReader viaFile = GgufReader.open(file)) {
            assertEquals(viaFile.header(), viaPlain.header());
            assertArrayEquals(viaFile.readTensor("blk.1.ffn_down.weight"), viaPlain.readTensor("blk.1.ffn_down.weight"));
        }
        assertFalse(fileChannel.isOpen());
    }

    private static void assertTensor(GgufHeader h, int index, String name, GgmlType type, long[] ne, long bytes) {
        GgufTensorInfo t = h.tensors().get(index);
        assertEquals(name, t.name());
        assertEquals(type, t.type());
        assertArrayEquals(ne, t.ne());
        assertEquals(bytes, t.byteSize());
    }
}
