package io.quantsweep.format.safetensors;

import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.OFFSET_OUT_OF_RANGE;
import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.TRUNCATED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.format.safetensors.SafetensorsFormatException.Reason;
import io.quantsweep.quant.numeric.Fp8BlockScaling;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The corruption catalogue: one generator per broken rule and the {@link Reason} it must raise. */
class SafetensorsCorruptionTest {
    private static final String F32_2 = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":";
    private static final String INDEX = SafetensorsIndex.FILE_NAME;

    /** Writes a broken checkpoint into a directory. */
    @FunctionalInterface
    interface Generator {
        void make(java.nio.file.Path dir) throws IOException;
    }

    enum Corruption {
        SHORTER_THAN_LENGTH_PREFIX(TRUNCATED, d -> Files.write(d.resolve("model.safetensors"), new byte[5])),
        HEADER_PAST_END_OF_FILE(TRUNCATED, d -> LocalFiles.raw(d.resolve("model.safetensors"), 1000, new byte[10], 0)),
        HEADER_ABOVE_CAP(Reason.HEADER_TOO_LARGE,
                d -> LocalFiles.raw(d.resolve("model.safetensors"), 200_000_000L, new byte[10], 0)),
        NOT_JSON(Reason.MALFORMED_HEADER, d -> single(d, "{\"a\":" + F32_2 + "[0,8]}", 8)),
        // valid JSON in UTF-16, which a JSON parser left to guess the encoding would read
        HEADER_NOT_UTF8(Reason.MALFORMED_HEADER, d -> {
            byte[] header = ("{\"a\":" + F32_2 + "[0,8]}}").getBytes(StandardCharsets.UTF_16LE);
            LocalFiles.raw(d.resolve("model.safetensors"), header.length, header, 8);
        }),
        DTYPE_UNKNOWN(Reason.UNKNOWN_DTYPE, d -> single(d, "{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2)),
        OFFSET_PAST_DATA(OFFSET_OUT_OF_RANGE, d -> single(d, "{\"a\":" + F32_2 + "[0,8]}}", 4)),
        TENSORS_OVERLAP(Reason.OFFSETS_OVERLAP, d -> single(d, "{\"a\":" + F32_2 + "[0,8]},\"b\":" + F32_2 + "[4,12]}}", 12)),
        GAP_BETWEEN_TENSORS(Reason.DATA_NOT_CONTIGUOUS,
                d -> single(d, "{\"a\":" + F32_2 + "[0,8]},\"b\":" + F32_2 + "[12,20]}}", 20)),
        BYTES_NOT_SHAPE_TIMES_DTYPE(Reason.SIZE_MISMATCH,
                d -> single(d, "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8)),
        INDEX_NOT_AN_OBJECT_MAP(Reason.MALFORMED_INDEX,
                d -> Files.writeString(d.resolve(INDEX), "{\"weight_map\":[\"a\"]}")),
        INDEX_NOT_UTF8(Reason.MALFORMED_INDEX,
                d -> Files.write(d.resolve(INDEX), new byte[] {0x7B, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF})),
        SHARD_OUTSIDE_THE_FOLDER(Reason.MALFORMED_INDEX, d -> {
            single(d, "{\"a\":" + F32_2 + "[0,8]}}", 8);
            Files.writeString(d.resolve(INDEX), "{\"weight_map\":{\"a\":\"../model.safetensors\"}}");
        }),
        SHARD_ABSENT(Reason.MISSING_SHARD, d -> {
            single(d, "{\"a\":" + F32_2 + "[0,8]}}", 8);
            Files.move(d.resolve("model.safetensors"), d.resolve("one.safetensors"));
            Files.writeString(d.resolve(INDEX), "{\"weight_map\":{\"a\":\"one.safetensors\",\"b\":\"two.safetensors\"}}");
        }),
        TENSOR_ABSENT_FROM_SHARD(Reason.MISSING_TENSOR, d -> {
            single(d, "{\"a\":" + F32_2 + "[0,8]}}", 8);
            Files.writeString(d.resolve(INDEX), "{\"weight_map\":{\"a\":\"model.safetensors\",\"b\":\"model.safetensors\"}}");
        }),
        FP8_WITHOUT_SCALE(Reason.MISSING_SCALE,
                d -> single(d, "{\"w.weight\":{\"dtype\":\"F8_E4M3\",\"shape\":[2,2],\"data_offsets\":[0,4]}}", 4)),
        SCALE_OF_WRONG_SHAPE(Reason.BAD_SCALE, d -> single(d,
                "{\"w.weight\":{\"dtype\":\"F8_E4M3\",\"shape\":[2,2],\"data_offsets\":[0,4]},"
                        + "\"w.weight_scale_inv\":" + F32_2 + "[4,12]}}", 12));

        final Reason reason;
        final Generator generator;

        Corruption(Reason reason, Generator generator) {
            this.reason = reason;
            this.generator = generator;
        }
    }

    private final FileSystem fs = LocalFiles.fs();

    @TempDir
    java.nio.file.Path dir;

    @ParameterizedTest
    @EnumSource(Corruption.class)
    void raisesItsReason(Corruption corruption) throws IOException {
        corruption.generator.make(dir);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> readEverything(LocalFiles.path(dir)));
        assertEquals(corruption.reason, e.reason(), e.getMessage());
    }

    /** Every proper prefix of a valid file is refused: in the prefix or header as TRUNCATED, in the data as an offset past the end. */
    @Test
    void everyTruncationIsRefused() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new SafetensorsWriter().metadata("k", "v")
                .add("a", SafetensorsDtype.BF16, List.of(2L, 3L), LocalFiles.randomBytes(7, 12))
                .add("b", SafetensorsDtype.F32, List.of(1L), LocalFiles.randomBytes(8, 4))
                .writeTo(out);
        byte[] whole = out.toByteArray();
        java.nio.file.Path file = dir.resolve("model.safetensors");
        for (int length = 0; length < whole.length; length++) {
            Files.write(file, Arrays.copyOf(whole, length));
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                    () -> readEverything(LocalFiles.path(dir)), "length " + length);
            assertTrue(Set.of(TRUNCATED, OFFSET_OUT_OF_RANGE).contains(e.reason()), "length " + length + ": " + e.getMessage());
        }
        Files.write(file, whole);
        readEverything(LocalFiles.path(dir));
    }

    @Test
    void messagesNameTheFileAndTensor() throws IOException {
        single(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> readEverything(LocalFiles.path(dir)));
        assertTrue(e.getMessage().contains("model.safetensors: tensor 'a'"), e.getMessage());
    }

    private static void single(java.nio.file.Path d, String header, int dataBytes) throws IOException {
        LocalFiles.raw(d.resolve("model.safetensors"), header, dataBytes);
    }

    private void readEverything(Path location) throws IOException {
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(fs, location)) {
            c.validate();
            for (String name : c.tensorNames()) {
                TensorInfo t = c.tensor(name);
                if (t.dtype().isFloat() && !name.endsWith(Fp8BlockScaling.SCALE_SUFFIX)) {
                    c.readFloatRows(name, 0, t.rowCount());
                } else {
                    c.readRawRows(name, 0, t.rowCount());
                }
            }
        }
    }
}
