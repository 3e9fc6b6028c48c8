package io.quantsweep.format.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.LittleEndian;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafetensorsRoundTripTest {
    private final FileSystem fs = LocalFiles.fs();

    @TempDir
    java.nio.file.Path dir;

    @ParameterizedTest
    @EnumSource(SafetensorsDtype.class)
    void everyDtypeRoundTripsItsBytes(SafetensorsDtype dtype) throws IOException {
        byte[] data = LocalFiles.randomBytes(dtype.ordinal(), 3 * 5 * dtype.byteSize());
        byte[] scalar = LocalFiles.randomBytes(100 + dtype.ordinal(), dtype.byteSize());
        Path file = LocalFiles.path(dir.resolve("t.safetensors"));
        new SafetensorsWriter().add("m", dtype, List.of(3L, 5L), data).add("s", dtype, List.of(), scalar).write(fs, file);

        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(fs, file)) {
            TensorInfo m = c.tensor("m");
            assertEquals(new TensorInfo("m", dtype, List.of(3L, 5L), 0, data.length), m);
            assertEquals(new TensorInfo("s", dtype, List.of(), data.length, data.length + scalar.length), c.tensor("s"));
            assertArrayEquals(data, c.readRawRows("m", 0, 3));
            assertArrayEquals(scalar, c.readRawRows("s", 0, 1));
        }
    }

    /** Each floating-point dtype decodes hand-encoded 1.5, -2 and its largest finite value. */
    @Test
    void floatDtypesDecodeKnownValues() throws IOException {
        Map<SafetensorsDtype, byte[]> encoded = new LinkedHashMap<>();
        encoded.put(SafetensorsDtype.F32, LittleEndian.toBytes(new float[] {1.5f, -2f, Float.MAX_VALUE}));
        encoded.put(SafetensorsDtype.F16, shorts(0x3E00, 0xC000, 0x7BFF));
        encoded.put(SafetensorsDtype.BF16, shorts(0x3FC0, 0xC000, 0x7F7F));
        encoded.put(SafetensorsDtype.F8_E4M3, new byte[] {0x3C, (byte) 0xC0, 0x7E});
        encoded.put(SafetensorsDtype.F8_E5M2, new byte[] {0x3E, (byte) 0xC0, 0x7B});
        encoded.put(SafetensorsDtype.F64, ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
                .putDouble(1.5).putDouble(-2).putDouble(Double.MAX_VALUE).array());
        float[][] expected = {
            {1.5f, -2f, Float.MAX_VALUE}, {1.5f, -2f, 65504f}, {1.5f, -2f, 0x1.fep127f},
            {1.5f, -2f, 448f}, {1.5f, -2f, 57344f}, {1.5f, -2f, Float.POSITIVE_INFINITY}};
        SafetensorsWriter w = new SafetensorsWriter();
        // FP8 E4M3 without a scale is refused by float reads, so its known values are checked by decoding.
        encoded.forEach((dtype, bytes) -> w.add(dtype.name(), dtype, List.of(3L), bytes));
        Path file = LocalFiles.path(dir.resolve("floats.safetensors"));
        w.write(fs, file);

        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(fs, file)) {
            int i = 0;
            for (SafetensorsDtype dtype : encoded.keySet()) {
                float[] got;
                if (dtype == SafetensorsDtype.F8_E4M3) {
                    got = new float[3];
                    dtype.toFloats(c.readRawRows(dtype.name(), 0, 1), 0, 3, got, 0);
                } else {
                    got = c.readFloatRows(dtype.name(), 0, 1);
                }
                assertArrayEquals(expected[i++], got, 0f, dtype.name());
            }
        }
    }

    /** Element 0 has all bits set, element 1 is the value 1. */
    @Test
    void integerDtypesWidenToLong() throws IOException {
        List<SafetensorsDtype> ints = Stream.of(SafetensorsDtype.values()).filter(d -> !d.isFloat()).toList();
        SafetensorsWriter w = new SafetensorsWriter();
        for (SafetensorsDtype d : ints) {
            byte[] b = new byte[2 * d.byteSize()];
            Arrays.fill(b, 0, d.byteSize(), (byte) 0xFF);
            b[d.byteSize()] = 1;
            w.add(d.name(), d, List.of(2L), b);
        }
        Path file = LocalFiles.path(dir.resolve("ints.safetensors"));
        w.write(fs, file);
        Map<SafetensorsDtype, Long> allOnes = Map.of(SafetensorsDtype.BOOL, 1L, SafetensorsDtype.U8, 255L,
                SafetensorsDtype.I8, -1L, SafetensorsDtype.I16, -1L, SafetensorsDtype.U16, 65535L,
                SafetensorsDtype.I32, -1L, SafetensorsDtype.U32, 4294967295L, SafetensorsDtype.I64, -1L,
                SafetensorsDtype.U64, -1L);
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(fs, file)) {
            for (SafetensorsDtype d : ints) {
                assertArrayEquals(new long[] {allOnes.get(d), 1}, c.readLongRows(d.name(), 0, 1), d.name());
            }
            assertThrows(IllegalArgumentException.class, () -> c.readFloatRows("I32", 0, 1));
        }
    }

    @Test
    void headerIsSpacePaddedToEightBytesAndKeepsMetadata() throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt")
                .add("a", SafetensorsDtype.U8, List.of(3L), new byte[] {1, 2, 3});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.writeTo(out);
        byte[] bytes = out.toByteArray();
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertEquals(0, (8 + n) % 8);
        assertEquals("{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]}}",
                header.stripTrailing());
        assertTrue(header.length() - header.stripTrailing().length() < 8);
        assertEquals(8 + n + 3, bytes.length);

        Path file = LocalFiles.path(dir.resolve("meta.safetensors"));
        w.write(fs, file);
        try (SafetensorsFile f = SafetensorsFile.open(fs, file)) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(8 + n, f.dataStart());
        }
    }

    @Test
    void slabsOfRowsFlattenOuterDimensions() throws IOException {
        float[] values = new float[2 * 3 * 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        Path file = LocalFiles.path(dir.resolve("slab.safetensors"));
        new SafetensorsWriter().add("x", SafetensorsDtype.F32, List.of(2L, 3L, 4L), LittleEndian.toBytes(values))
                .write(fs, file);
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(fs, file)) {
            TensorInfo x = c.tensor("x");
            assertEquals(6, x.rowCount());
            assertEquals(4, x.rowLength());
            assertArrayEquals(Arrays.copyOfRange(values, 4, 20), c.readFloatRows("x", 1, 5));
            float[] dst = new float[10];
            c.readFloatRows("x", 5, 6, dst, 3);
            assertArrayEquals(new float[] {0, 0, 0, 20, 21, 22, 23, 0, 0, 0}, dst);
            assertEquals(0, c.readFloatRows("x", 6, 6).length);
            assertThrows(IndexOutOfBoundsException.class, () -> c.readFloatRows("x", 5, 7));
        }
    }

    @Test
    void shardedCheckpointFollowsItsIndex() throws IOException {
        byte[] a = LocalFiles.randomBytes(1, 2 * 4 * 2);
        byte[] b = LocalFiles.randomBytes(2, 6 * 4);
        byte[] c = LocalFiles.randomBytes(3, 5 * 8);
        Map<String, SafetensorsWriter> shards = new LinkedHashMap<>();
        shards.put("model-00001-of-00002.safetensors", new SafetensorsWriter()
                .add("a", SafetensorsDtype.BF16, List.of(2L, 4L), a).add("c", SafetensorsDtype.I64, List.of(5L), c));
        shards.put("model-00002-of-00002.safetensors", new SafetensorsWriter()
                .add("b", SafetensorsDtype.F32, List.of(6L), b));
        for (Map.Entry<String, SafetensorsWriter> s : shards.entrySet()) {
            s.getValue().write(fs, LocalFiles.path(dir.resolve(s.getKey())));
        }
        SafetensorsIndex index = SafetensorsIndex.of(shards);
        Path indexPath = LocalFiles.path(dir.resolve(SafetensorsIndex.FILE_NAME));
        index.write(fs, indexPath);

        assertEquals(Map.of("total_size", 16L + 24 + 40), index.metadata());
        assertEquals(index.weightMap(), SafetensorsIndex.read(fs, indexPath).weightMap());
        assertEquals(80, ((Number) SafetensorsIndex.read(fs, indexPath).metadata().get("total_size")).longValue());
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(fs, LocalFiles.path(dir))) {
            ckpt.validate();
            assertEquals(List.of("a", "c", "b"), List.copyOf(ckpt.tensorNames()));
            assertEquals(List.copyOf(shards.keySet()), List.copyOf(ckpt.shardNames()));
            assertEquals("model-00002-of-00002.safetensors", ckpt.shardOf("b"));
            assertArrayEquals(a, ckpt.readRawRows("a", 0, 2));
            assertArrayEquals(Arrays.copyOfRange(b, 0, 24), ckpt.readRawRows("b", 0, 1));
            assertArrayEquals(Arrays.copyOfRange(c, 0, 40), ckpt.readRawRows("c", 0, 1));
        }
    }

    /** A sparse file puts a tensor past 3 GiB, so every offset must be a long. */
    @Test
    void readsTensorsBeyondTwoGibibytes() throws IOException {
        long padRows = 1L << 30;
        long padBytes = 3 * padRows;
        String header = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[" + padRows + ",3],\"data_offsets\":[0," + padBytes + "]},"
                + "\"t\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[" + padBytes + "," + (padBytes + 24) + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        float[] t = {1, 2, 3, 4, 5, 6};
        java.nio.file.Path file = dir.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            raf.write(json);
            raf.seek(8 + json.length + padBytes - 1);
            raf.write(7);
            raf.write(LittleEndian.toBytes(t));
        }
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(fs, LocalFiles.path(file))) {
            assertArrayEquals(Arrays.copyOfRange(t, 3, 6), c.readFloatRows("t", 1, 2));
            assertArrayEquals(new long[] {0, 0, 7}, c.readLongRows("pad", padRows - 1, padRows));
        }
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTemporaryFile() throws IOException {
        Path file = LocalFiles.path(dir.resolve("x.safetensors"));
        new SafetensorsWriter().add("v", SafetensorsDtype.U8, List.of(1L), new byte[] {1}).write(fs, file);
        new SafetensorsWriter().add("w", SafetensorsDtype.U8, List.of(2L), new byte[] {2, 3}).write(fs, file);
        try (SafetensorsFile f = SafetensorsFile.open(fs, file)) {
            assertEquals(List.of("w"), f.tensors().stream().map(TensorInfo::name).toList());
            assertArrayEquals(new byte[] {2, 3}, f.read("w"));
        }
        try (Stream<java.nio.file.Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp")).toList());
        }
    }

    @Test
    void writerRefusesDataOfTheWrongLength() {
        SafetensorsWriter w = new SafetensorsWriter();
        assertThrows(IllegalArgumentException.class, () -> w.add("x", SafetensorsDtype.F16, List.of(3L), new byte[5]));
        w.add("y", SafetensorsDtype.F16, List.of(1L), new byte[2]);
        assertThrows(IllegalArgumentException.class, () -> w.add("y", SafetensorsDtype.F16, List.of(1L), new byte[2]));
    }

    @Test
    void bodiesStreamTheirBytesInTurnAndMustWriteExactlyTheShapesLength() throws IOException {
        Path file = LocalFiles.path(dir.resolve("streamed.safetensors"));
        List<String> calls = new java.util.ArrayList<>();
        new SafetensorsWriter()
                .add("a", SafetensorsDtype.U8, List.of(3L), out -> {
                    calls.add("a");
                    out.write(new byte[] {1, 2});
                    out.write(3);
                })
                .add("b", SafetensorsDtype.F16, List.of(1L), new byte[] {4, 5})
                .add("c", SafetensorsDtype.U8, List.of(2L, 1L), out -> {
                    calls.add("c");
                    out.write(new byte[] {6, 7});
                })
                .write(fs, file);
        assertEquals(List.of("a", "c"), calls);
        try (SafetensorsFile f = SafetensorsFile.open(fs, file)) {
            assertArrayEquals(new byte[] {1, 2, 3}, f.read("a"));
            assertArrayEquals(new byte[] {6, 7}, f.read("c"));
        }
        Path bad = LocalFiles.path(dir.resolve("short.safetensors"));
        IOException e = assertThrows(IOException.class, () -> new SafetensorsWriter()
                .add("s", SafetensorsDtype.F32, List.of(2L), out -> out.write(new byte[7])).write(fs, bad));
        assertTrue(e.getMessage().contains("tensor 's': its body wrote 7 bytes, its shape [2] of F32 needs 8"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("short.safetensors")), "a failed write leaves no file");
    }

    private static byte[] shorts(int... values) {
        byte[] b = new byte[2 * values.length];
        for (int i = 0; i < values.length; i++) {
            LittleEndian.putShort(b, 2 * i, (short) values[i]);
        }
        return b;
    }
}
