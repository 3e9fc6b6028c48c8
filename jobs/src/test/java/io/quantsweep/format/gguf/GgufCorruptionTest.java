package io.quantsweep.format.gguf;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quantsweep.format.gguf.GgufFormatException.Reason;
import io.quantsweep.quant.GgmlType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The corruption catalogue: every kind of bad file the reader must refuse, each with the
 * {@link Reason} it must raise; then truncation at every offset and byte mutations across the header.
 */
class GgufCorruptionTest {
    @TempDir
    Path dir;

    /** What a case opens: a file (or first shard) and the limits to read it under. */
    record Case(Path file, GgufReader.Limits limits) {
    }

    interface Maker {
        Case make(Path dir) throws IOException;
    }

    enum Corruption {
        CUT_IN_THE_COUNTS(Reason.TRUNCATED, raw(h -> h.dataBytes = 0, 20)),
        ARRAY_LONGER_THAN_THE_FILE(Reason.TRUNCATED, raw(h -> h.kvs.set(1, Handcrafted.kv("test.ids", 9, r -> r.i32(5).u64(1_000_000).i32(1))))),
        BAD_MAGIC(Reason.BAD_MAGIC, raw(h -> h.magic = "GGUX".getBytes())),
        VERSION_1(Reason.UNSUPPORTED_VERSION, raw(h -> h.version = 1)),
        VERSION_4(Reason.UNSUPPORTED_VERSION, raw(h -> h.version = 4)),
        BIG_ENDIAN(Reason.BYTE_SWAPPED, raw(h -> h.version = 0x0300_0000)),
        NEGATIVE_TENSOR_COUNT(Reason.BAD_COUNT, raw(h -> h.nTensors = -1L)),
        KV_COUNT_BEYOND_THE_FILE(Reason.BAD_COUNT, raw(h -> h.nKv = 1L << 40)),
        HEADER_OVER_THE_LIMIT(Reason.HEADER_TOO_LARGE, dir -> new Case(write(dir, new Handcrafted().bytes()),
                new GgufReader.Limits(1 << 20, 1 << 20, 64))),
        HUGE_KEY_LENGTH(Reason.STRING_TOO_LONG, raw(h -> h.kvs.add(r -> r.u64(1L << 62)))),
        HUGE_ARRAY_LENGTH(Reason.ARRAY_TOO_LONG, raw(h -> h.kvs.set(1, Handcrafted.kv("test.ids", 9, r -> r.i32(5).u64(1L << 40))))),
        KEY_NOT_UTF8(Reason.BAD_UTF8, raw(h -> h.kvs.add(Handcrafted.kv(new byte[] {'k', (byte) 0xC3, '('}, 4, r -> r.i32(1))))),
        EMPTY_KEY(Reason.EMPTY_KEY, raw(h -> h.kvs.add(Handcrafted.kv("", 4, r -> r.i32(1))))),
        DUPLICATE_KEY(Reason.DUPLICATE_KEY, raw(h -> h.kvs.add(Handcrafted.kv("general.architecture", 8, r -> r.str("x"))))),
        VALUE_TYPE_13(Reason.UNKNOWN_VALUE_TYPE, raw(h -> h.kvs.add(Handcrafted.kv("k", 13, r -> r.i32(1))))),
        ARRAY_OF_ARRAYS(Reason.NESTED_ARRAY, raw(h -> h.kvs.add(Handcrafted.kv("k", 9, r -> r.i32(9).u64(0))))),
        ALIGNMENT_48(Reason.BAD_ALIGNMENT, raw(h -> h.kvs.add(Handcrafted.kv("general.alignment", 4, r -> r.i32(48))))),
        ALIGNMENT_ZERO(Reason.BAD_ALIGNMENT, raw(h -> h.kvs.add(Handcrafted.kv("general.alignment", 4, r -> r.i32(0))))),
        ALIGNMENT_AS_U64(Reason.BAD_ALIGNMENT, raw(h -> h.kvs.add(Handcrafted.kv("general.alignment", 10, r -> r.u64(32))))),
        TENSOR_NAME_64_BYTES(Reason.BAD_TENSOR_NAME, raw(h -> h.tensors.get(1).name = "b".repeat(64).getBytes())),
        EMPTY_TENSOR_NAME(Reason.BAD_TENSOR_NAME, raw(h -> h.tensors.get(1).name = new byte[0])),
        DUPLICATE_TENSOR(Reason.DUPLICATE_TENSOR, raw(h -> h.tensors.get(1).name = "a".getBytes())),
        FIVE_DIMENSIONS(Reason.BAD_DIMENSIONS, raw(h -> {
            h.tensors.get(1).ne = new long[] {4, 2, 1, 1, 1};
            h.tensors.get(1).nDims = 5;
        })),
        NEGATIVE_DIMENSION(Reason.BAD_DIMENSIONS, raw(h -> h.tensors.get(1).ne = new long[] {4, -2})),
        SIZE_OVERFLOWS(Reason.BAD_DIMENSIONS, raw(h -> h.tensors.get(1).ne = new long[] {1L << 40, 1L << 40})),
        REMOVED_TYPE_4(Reason.UNKNOWN_TENSOR_TYPE, raw(h -> h.tensors.get(1).type = 4)),
        TYPE_99(Reason.UNKNOWN_TENSOR_TYPE, raw(h -> h.tensors.get(1).type = 99)),
        Q8_0_ROW_OF_33(Reason.ROW_NOT_BLOCK_ALIGNED, raw(h -> {
            h.tensors.get(1).type = GgmlType.Q8_0.id();
            h.tensors.get(1).ne = new long[] {33, 1};
        })),
        OFFSET_OVERLAPS(Reason.OFFSET_MISMATCH, raw(h -> h.tensors.get(1).offset = 0)),
        OFFSET_LEAVES_A_GAP(Reason.OFFSET_MISMATCH, raw(h -> {
            h.tensors.get(1).offset = 64;
            h.dataBytes = 96;
        })),
        OFFSET_MISALIGNED(Reason.OFFSET_MISMATCH, raw(h -> h.tensors.get(1).offset = 33)),
        OFFSETS_OUT_OF_ORDER(Reason.OFFSET_MISMATCH, raw(h -> {
            h.tensors.get(0).offset = 32;
            h.tensors.get(1).offset = 0;
        })),
        OFFSET_BEYOND_2_63(Reason.OFFSET_MISMATCH, raw(h -> h.tensors.get(1).offset = -32)),
        DATA_CUT_SHORT(Reason.TENSOR_BEYOND_EOF, raw(h -> h.dataBytes = 40)),
        BYTE_AFTER_THE_LAST_PADDING(Reason.TRAILING_BYTES, raw(h -> h.dataBytes = 65)),
        BYTES_AFTER_A_TENSORLESS_HEADER(Reason.TRAILING_BYTES, raw(h -> {
            h.tensors.clear();
            h.dataBytes = 1;
        })),
        SHARD_WITHOUT_SPLIT_NO(Reason.MISSING_KEY, dir -> shards(dir, 2, (i, md) -> {
            if (i == 1) {
                md.remove("split.no");
            }
        })),
        SPLIT_COUNT_AS_U32(Reason.WRONG_VALUE_TYPE, dir -> shards(dir, 2, (i, md) -> md.put("split.count", GgufValue.u32(2)))),
        SHARD_MISSING(Reason.SPLIT_MISMATCH, dir -> {
            Case c = shards(dir, 3, (i, md) -> { });
            Files.delete(GgufSplit.shardPath(dir.resolve("m"), 2, 3));
            return c;
        }),
        SHARD_WITH_THE_WRONG_INDEX(Reason.SPLIT_MISMATCH, dir -> shards(dir, 3, (i, md) -> {
            if (i == 2) {
                md.put("split.no", GgufValue.u16(1));
            }
        })),
        SPLIT_TENSOR_COUNT_WRONG(Reason.SPLIT_MISMATCH, dir -> shards(dir, 2, (i, md) -> md.put("split.tensors.count", GgufValue.i32(3)))),
        FIRST_SHARD_NAMED_WRONGLY(Reason.SPLIT_MISMATCH, dir -> {
            Case c = shards(dir, 2, (i, md) -> { });
            Path renamed = dir.resolve("m-1-of-2.gguf");
            Files.move(c.file(), renamed);
            return new Case(renamed, c.limits());
        });

        final Reason reason;
        final Maker maker;

        Corruption(Reason reason, Maker maker) {
            this.reason = reason;
            this.maker = maker;
        }
    }

    private static Maker raw(Consumer<Handcrafted> edit) {
        return raw(edit, -1);
    }

    /** A handcrafted file after {@code edit}, cut to {@code keep} bytes when that is not -1. */
    private static Maker raw(Consumer<Handcrafted> edit, int keep) {
        return dir -> {
            Handcrafted h = new Handcrafted();
            edit.accept(h);
            byte[] b = h.bytes();
            return new Case(write(dir, keep < 0 ? b : Arrays.copyOf(b, keep)), GgufReader.Limits.DEFAULT);
        };
    }

    private static Path write(Path dir, byte[] bytes) throws IOException {
        return Files.write(dir.resolve("corrupt.gguf"), bytes);
    }

    interface ShardEdit {
        void edit(int shard, GgufMetadata metadata);
    }

    /** {@code count} shards m-0000i-of-0000n.gguf of one F32 tensor each, written by our writer after {@code edit}. */
    private static Case shards(Path dir, int count, ShardEdit edit) throws IOException {
        List<GgufTensorSpec> specs = List.of(
                GgufTensorSpec.of("a", GgmlType.F32, 8), GgufTensorSpec.of("b", GgmlType.F32, 8), GgufTensorSpec.of("c", GgmlType.F32, 8))
                .subList(0, count);
        List<GgufPlan> plans = GgufSplit.plan(new GgufMetadata(), specs, new GgufSplit.Options(GgufSplit.Limit.maxTensors(1), false));
        for (int i = 0; i < count; i++) {
            GgufMetadata md = plans.get(i).metadata();
            edit.edit(i, md);
            GgufPlan p = GgufPlan.of(md, List.of(specs.get(i)));
            GgufWriter.write(GgufSplit.shardPath(dir.resolve("m"), i, count), p, t -> TensorData.of(new byte[32]));
        }
        return new Case(GgufSplit.shardPath(dir.resolve("m"), 0, count), GgufReader.Limits.DEFAULT);
    }

    @Test
    void theUneditedFilesAreValid() throws IOException {
        Case file = raw(h -> { }).make(dir);
        try (GgufReader r = GgufReader.open(file.file())) {
            assertEquals(List.of("a", "b"), GgufFixtures.names(r.header().tensors()));
        }
        Case set = shards(dir, 3, (i, md) -> { });
        try (GgufSplitSet s = GgufSplitSet.open(set.file())) {
            assertEquals(3, s.shards().size());
        }
    }

    @Test
    void everyReasonHasACase() {
        Set<Reason> covered = EnumSet.noneOf(Reason.class);
        for (Corruption c : Corruption.values()) {
            covered.add(c.reason);
        }
        assertEquals(EnumSet.allOf(Reason.class), covered);
    }

    @ParameterizedTest
    @EnumSource(Corruption.class)
    void eachCorruptionIsRefusedForItsReason(Corruption corruption) throws IOException {
        Case c = corruption.maker.make(dir);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufSplitSet.open(c.file(), c.limits()).close());
        assertEquals(corruption.reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void truncationAtEveryOffsetIsRefusedWithTheFieldItCuts() throws IOException {
        byte[] file = GgufFixtures.seededFile();
        GgufHeader full = GgufReader.readHeader(ByteSource.of(file, "full"), GgufReader.Limits.DEFAULT);
        long minEntries = 14L * full.metadata().size() + 25L * full.tensors().size();
        GgufTensorInfo last = full.tensors().get(full.tensors().size() - 1);
        long lastEnd = full.fileOffset(last) + last.byteSize();
        for (int cut = 0; cut < file.length; cut++) {
            ByteSource source = ByteSource.of(Arrays.copyOf(file, cut), "cut-" + cut);
            if (cut >= lastEnd) {
                // only the last tensor's padding is missing, which llama.cpp's loader accepts too
                assertDoesNotThrow(() -> GgufReader.readHeader(source, GgufReader.Limits.DEFAULT), "cut at " + cut);
                continue;
            }
            Reason expected = cut >= full.dataOffset() ? Reason.TENSOR_BEYOND_EOF
                    : cut >= 24 && minEntries > cut - 24 ? Reason.BAD_COUNT
                    : Reason.TRUNCATED;
            GgufFormatException e = assertThrows(GgufFormatException.class,
                    () -> GgufReader.readHeader(source, GgufReader.Limits.DEFAULT), "cut at " + cut);
            assertEquals(expected, e.reason(), "cut at " + cut + ": " + e.getMessage());
            assertTrue(e.offset() >= 0 && e.offset() <= cut, "cut at " + cut + ": " + e.getMessage());
        }
    }

    @Test
    void mutatedHeaderBytesGiveAValidFileOrANamedRefusal() throws IOException {
        byte[] file = GgufFixtures.seededFile();
        long dataOffset = GgufReader.readHeader(ByteSource.of(file, "full"), GgufReader.Limits.DEFAULT).dataOffset();
        int[] values = {0x00, 0x01, 0x7F, 0x80, 0xFF};
        int refused = 0;
        for (int at = 0; at < dataOffset; at++) {
            for (int v : values) {
                if ((file[at] & 0xFF) == v) {
                    continue;
                }
                byte[] mutated = file.clone();
                mutated[at] = (byte) v;
                try {
                    GgufReader.readHeader(ByteSource.of(mutated, "mutated"), GgufReader.Limits.DEFAULT);
                } catch (GgufFormatException e) {
                    refused++;
                } catch (IOException | RuntimeException e) {
                    fail("byte %d set to 0x%02x: %s".formatted(at, v, e), e);
                }
            }
        }
        assertTrue(refused > dataOffset, "only " + refused + " mutations refused");
    }
}
