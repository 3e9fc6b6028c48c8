package io.quantsweep.format.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.GgmlType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writer → reader round trips, the plan's layout, the writer's state machine and its atomic output. */
class GgufRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyValueTypeAndTensorSurvivesAWriteAndRead() throws IOException {
        List<GgufTensorSpec> specs = GgufFixtures.seededSpecs();
        Map<String, byte[]> data = GgufFixtures.seededData(specs);
        GgufPlan plan = GgufPlan.of(GgufFixtures.allTypesMetadata(), specs);
        Path file = dir.resolve("all.gguf");
        GgufWriter.write(file, plan, t -> TensorData.of(data.get(t.name())));

        assertEquals(plan.fileSize(), Files.size(file));
        try (GgufReader r = GgufReader.open(file)) {
            GgufHeader h = r.header();
            assertEquals(3, h.version());
            assertEquals(GgufFixtures.allTypesMetadata(), h.metadata());
            assertEquals(32, h.alignment());
            assertEquals(plan.dataOffset(), h.dataOffset());
            assertEquals(0, h.dataOffset() % 32);
            assertEquals(specs.size(), h.tensors().size());
            for (int i = 0; i < specs.size(); i++) {
                GgufTensorInfo t = h.tensors().get(i);
                assertEquals(specs.get(i).name(), t.name());
                assertEquals(specs.get(i).type(), t.type());
                assertArrayEquals(specs.get(i).writtenNe(), t.ne());
                assertEquals(plan.tensors().get(i).offset(), t.offset());
                assertEquals(plan.fileOffset(i), h.fileOffset(t));
                assertArrayEquals(data.get(t.name()), r.readTensor(t.name()), t.name());
            }
        }
    }

    @Test
    void readValuesKeepTheirTypesAndRanges() throws IOException {
        GgufHeader h = GgufReader.readHeader(ByteSource.of(GgufFixtures.seededFile(), "seeded"), GgufReader.Limits.DEFAULT);
        assertEquals(-1L, h.requireInt("test.u64", GgufValueType.UINT64));
        assertEquals(0xFFFF_FFFFL, h.requireInt("test.u32", GgufValueType.UINT32));
        assertEquals(-128, h.requireInt("test.i8", GgufValueType.INT8));
        assertEquals("h\u00e9llo \u2603 \ud83d\ude42", h.requireString("test.string"));
        GgufValue.NumArray i8 = (GgufValue.NumArray) h.get("test.arr.i8").orElseThrow();
        assertEquals(List.of(-128L, -1L, 127L), List.of(i8.getLong(0), i8.getLong(1), i8.getLong(2)));
        GgufValue.NumArray u32 = (GgufValue.NumArray) h.get("test.arr.u32").orElseThrow();
        assertEquals(0xFFFF_FFFFL, u32.getLong(1));
        GgufValue.NumArray f32 = (GgufValue.NumArray) h.get("test.arr.f32").orElseThrow();
        assertEquals(-1.5, f32.getDouble(1));
        assertEquals(Float.MIN_VALUE, (float) f32.getDouble(3));
        assertTrue(((GgufValue.NumArray) h.get("test.arr.bool").orElseThrow()).getBool(2));
        assertEquals(Double.doubleToRawLongBits(-0.0f), Double.doubleToRawLongBits(h.get("test.f32").orElseThrow().asDouble()));
    }

    @Test
    void trailingUnitDimensionsAreNotWritten() throws IOException {
        GgufHeader h = GgufReader.readHeader(ByteSource.of(GgufFixtures.seededFile(), "seeded"), GgufReader.Limits.DEFAULT);
        assertArrayEquals(new long[] {7}, h.tensor("blk.0.ffn_gate_inp.weight").orElseThrow().ne());
        assertArrayEquals(new long[] {256, 1, 1, 3}, h.tensor("output.weight").orElseThrow().ne());
    }

    @Test
    void generalAlignmentSetsPaddingAndOffsets() throws IOException {
        GgufMetadata md = new GgufMetadata().put("general.alignment", GgufValue.u32(64));
        List<GgufTensorSpec> specs = List.of(GgufTensorSpec.of("a", GgmlType.F32, 3), GgufTensorSpec.of("b", GgmlType.F16, 100));
        GgufPlan plan = GgufPlan.of(md, specs);
        assertEquals(List.of(0L, 64L), plan.tensors().stream().map(GgufTensorInfo::offset).toList());
        assertEquals(64 + 256, plan.dataSize());
        byte[] file = GgufFixtures.write(plan, GgufFixtures.seededData(specs));
        GgufHeader h = GgufReader.readHeader(ByteSource.of(file, "a64"), GgufReader.Limits.DEFAULT);
        assertEquals(64, h.alignment());
        assertEquals(0, h.dataOffset() % 64);
        assertEquals(file.length, h.dataOffset() + 320);
    }

    @Test
    void aFileWithoutTensorsIsItsPaddedHeader() throws IOException {
        GgufPlan plan = GgufPlan.of(new GgufMetadata().put("general.name", GgufValue.string("x")), List.of());
        byte[] file = GgufFixtures.write(plan, Map.of());
        assertEquals(0, file.length % 32);
        assertEquals(plan.dataOffset(), file.length);
        GgufHeader h = GgufReader.readHeader(ByteSource.of(file, "empty"), GgufReader.Limits.DEFAULT);
        assertTrue(h.tensors().isEmpty());
        assertEquals("x", h.requireString("general.name"));
    }

    @Test
    void headerBytesThenDataSectionFromPartFilesIsTheWholeFile() throws IOException {
        List<GgufTensorSpec> specs = GgufFixtures.seededSpecs();
        Map<String, byte[]> data = GgufFixtures.seededData(specs);
        GgufPlan plan = GgufPlan.of(GgufFixtures.allTypesMetadata(), specs);
        // as a distributed job would: each tensor in its own part file, concatenated behind the header
        for (GgufTensorSpec s : specs) {
            Files.write(dir.resolve(s.name() + ".part"), data.get(s.name()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(plan.headerBytes());
        GgufWriter.writeDataSection(out, plan, t -> part(dir.resolve(t.name() + ".part")));
        assertArrayEquals(GgufFixtures.write(plan, data), out.toByteArray());
    }

    private static TensorData part(Path p) {
        try {
            return TensorData.of(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aRealLlamaQuantizeFileIsRewrittenByteForByte() throws IOException {
        assertRewritesIdentically(GgufFixtures.sample("tiny-llama-256x2-Q3_K_M.gguf"));
    }

    @Test
    void aFileFromAnotherWriterIsRewrittenByteForByte() throws IOException {
        assertRewritesIdentically(GgufFixtures.sample("llama-2-tiny-random.gguf"));
    }

    private void assertRewritesIdentically(Path original) throws IOException {
        Path copy = dir.resolve("copy.gguf");
        try (GgufReader r = GgufReader.open(original)) {
            GgufHeader h = r.header();
            GgufPlan plan = GgufPlan.of(h.metadata(), h.tensors().stream().map(GgufTensorInfo::spec).toList());
            assertEquals(h.dataOffset(), plan.dataOffset());
            GgufWriter.write(copy, plan, r::tensorData);
        }
        assertEquals(-1L, Files.mismatch(original, copy));
    }

    @Test
    void writerCallsOutOfOrderNameTheState() throws IOException {
        List<GgufTensorSpec> specs = List.of(GgufTensorSpec.of("a", GgmlType.F32, 4));
        GgufPlan plan = GgufPlan.of(new GgufMetadata(), specs);
        GgufWriter w = GgufWriter.toStream(OutputStream.nullOutputStream(), plan);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.writeTensor(TensorData.of(new byte[16])));
        assertTrue(e.getMessage().contains("NEW"), e.getMessage());
        w.writeHeader();
        assertThrows(IllegalStateException.class, w::writeHeader);
        assertThrows(IllegalStateException.class, w::finish);
        w.writeTensor(TensorData.of(new byte[16]));
        assertThrows(IllegalStateException.class, () -> w.writeTensor(TensorData.of(new byte[16])));
        w.finish();
        assertEquals(GgufWriter.State.CLOSED, w.state());
        assertThrows(IllegalStateException.class, w::writeHeader);
    }

    @Test
    void aTensorOfTheWrongSizeAbortsTheFileAndLeavesNothing() throws IOException {
        GgufPlan plan = GgufPlan.of(new GgufMetadata(), List.of(GgufTensorSpec.of("a", GgmlType.F32, 4)));
        Path target = dir.resolve("bad.gguf");
        assertThrows(IllegalArgumentException.class,
                () -> GgufWriter.write(target, plan, t -> TensorData.of(new byte[15])));
        assertEquals(List.of(), listDir());
    }

    @Test
    void aSourceThatWritesTooFewBytesIsCaught() throws IOException {
        GgufPlan plan = GgufPlan.of(new GgufMetadata(), List.of(GgufTensorSpec.of("a", GgmlType.F32, 4)));
        TensorData liar = new TensorData() {
            @Override
            public long size() {
                return 16;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(new byte[12]);
            }
        };
        IOException e = assertThrows(IOException.class, () -> GgufWriter.write(dir.resolve("short.gguf"), plan, t -> liar));
        assertTrue(e.getMessage().contains("'a'"), e.getMessage());
        assertEquals(List.of(), listDir());
    }

    @Test
    void anAbandonedFileNeverAppearsAndItsTemporaryIsRemoved() throws IOException {
        GgufPlan plan = GgufPlan.of(new GgufMetadata(), List.of(GgufTensorSpec.of("a", GgmlType.F32, 4)));
        Path target = dir.resolve("abandoned.gguf");
        try (GgufWriter w = GgufWriter.toFile(target, plan)) {
            w.writeHeader();
            assertEquals(1, listDir().size());
            assertTrue(listDir().get(0).startsWith(".abandoned.gguf."), listDir().toString());
            assertFalse(Files.exists(target));
        }
        assertEquals(List.of(), listDir());
    }

    @Test
    void aFinishedFileReplacesAnOlderOne() throws IOException {
        Path target = dir.resolve("model.gguf");
        Files.write(target, new byte[] {1, 2, 3});
        GgufPlan plan = GgufPlan.of(new GgufMetadata(), List.of());
        GgufWriter.write(target, plan, t -> null);
        assertArrayEquals(plan.headerBytes(), Files.readAllBytes(target));
        assertEquals(List.of("model.gguf"), listDir());
    }

    @Test
    void putMovesAKeyToTheEndAsGgmlDoes() {
        GgufMetadata md = new GgufMetadata()
                .put("a", GgufValue.u32(1)).put("b", GgufValue.u32(2)).put("a", GgufValue.u32(3));
        assertEquals(List.of("b", "a"), md.keys());
        assertEquals(3, md.get("a").orElseThrow().asLong());
    }

    @Test
    void planRefusesWhatGgmlWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> GgufTensorSpec.of("x".repeat(64), GgmlType.F32, 1));
        assertThrows(IllegalArgumentException.class, () -> GgufTensorSpec.of("q", GgmlType.Q4_K, 255));
        assertThrows(IllegalArgumentException.class, () -> GgufTensorSpec.of("q", GgmlType.F32, 1, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.u8(256));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.intArray(GgufValueType.INT16, 40000));
        assertThrows(IllegalArgumentException.class, () -> GgufPlan.of(new GgufMetadata(),
                List.of(GgufTensorSpec.of("a", GgmlType.F32, 1), GgufTensorSpec.of("a", GgmlType.F32, 1))));
        assertThrows(IllegalArgumentException.class, () -> GgufPlan.of(
                new GgufMetadata().put("general.alignment", GgufValue.u32(48)), List.of()));
        assertThrows(IllegalArgumentException.class, () -> GgufPlan.of(
                new GgufMetadata().put("k", GgufValue.string("\ud800")), List.of()));
    }

    private List<String> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = new ArrayList<>();
            s.forEach(p -> names.add(p.getFileName().toString()));
            return names;
        }
    }
}
