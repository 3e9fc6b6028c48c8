package io.quantsweep.format.imatrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.format.gguf.ByteSource;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.gguf.GgufValueType;
import io.quantsweep.format.imatrix.ImatrixFixtures.Dat;
import io.quantsweep.format.imatrix.ImatrixFixtures.Gguf;
import io.quantsweep.format.imatrix.ImatrixFormatException.Reason;
import io.quantsweep.quant.GgmlType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One corrupt file per refusal, each with the {@link Reason} it must raise, then a truncation loop over a .dat. */
class ImatrixCorruptionTest {
    @TempDir
    Path dir;

    interface Maker {
        Path make(Path dir) throws IOException;
    }

    private static Maker dat(Dat d) {
        return dir -> Files.write(dir.resolve("bad.dat"), d.bytes());
    }

    private static Maker gguf(Gguf g) {
        return dir -> g.write(dir.resolve("bad.gguf"));
    }

    private static final float[] TWO = {1, 2};

    enum Corruption {
        DAT_CUT_IN_THE_VALUES(Reason.TRUNCATED, dat(new Dat().i32(1).str("a.weight").i32(1).i32(4).f32(1, 2, 3))),
        THREE_BYTES(Reason.TRUNCATED, dir -> Files.write(dir.resolve("bad.dat"), new byte[] {1, 0, 0})),
        DAT_ZERO_ENTRIES(Reason.NO_ENTRIES, dat(new Dat().i32(0))),
        GGUF_ONLY_STATS(Reason.NO_ENTRIES, gguf(new Gguf().f32("a.weight.stats", TWO, 2))),
        DAT_MORE_ENTRIES_THAN_BYTES(Reason.BAD_COUNT, dat(new Dat().i32(1_000_000).entry("a.weight", 1, TWO))),
        DAT_NVAL_ZERO(Reason.BAD_COUNT, dat(new Dat().i32(1).str("a.weight").i32(1).i32(0).f32(1, 2, 3, 4))),
        DAT_NEGATIVE_NCALL(Reason.BAD_COUNT, dat(new Dat().i32(1).entry("a.weight", -1, TWO))),
        DAT_NEGATIVE_LAST_CHUNK(Reason.BAD_COUNT, dat(new Dat().i32(1).entry("a.weight", 1, TWO).i32(-5).str("d"))),
        DAT_HUGE_NVAL(Reason.ENTRY_TOO_LARGE, dat(new Dat().i32(1).str("a.weight").i32(1).i32(Integer.MAX_VALUE).f32(1, 2))),
        DAT_EMPTY_NAME(Reason.BAD_NAME, dat(new Dat().i32(1).entry("", 1, TWO))),
        DAT_NAME_NOT_UTF8(Reason.BAD_NAME, dat(new Dat().i32(1).i32(2).raw(new byte[] {'a', (byte) 0xC3}).i32(1).i32(1).f32(1))),
        DAT_NAME_LONGER_THAN_THE_LIMIT(Reason.BAD_NAME, dat(new Dat().i32(1).i32(1 << 20).f32(new float[16]))),
        GGUF_TENSOR_NAMED_ONLY_BY_ITS_SUFFIX(Reason.BAD_NAME, gguf(new Gguf().f32(".in_sum2", TWO, 2).f32(".counts", new float[] {1}, 1))),
        DAT_DUPLICATE_NAME(Reason.DUPLICATE_ENTRY, dat(new Dat().i32(2).entry("a.weight", 1, TWO).entry("a.weight", 1, TWO))),
        DAT_BYTES_AFTER_THE_TRAILER(Reason.TRAILING_BYTES, dat(new Dat().i32(1).entry("a.weight", 1, TWO).i32(3).str("d").raw(new byte[] {0}))),
        DAT_NAN(Reason.NON_FINITE_VALUE, dat(new Dat().i32(1).entry("a.weight", 1, 1, Float.NaN))),
        GGUF_INFINITE_SUM(Reason.NON_FINITE_VALUE, gguf(new Gguf().f32("a.weight.in_sum2", new float[] {Float.POSITIVE_INFINITY, 1}, 2)
                .f32("a.weight.counts", new float[] {4}, 1))),
        GGUF_NEGATIVE_COUNT(Reason.NEGATIVE_VALUE, gguf(new Gguf().f32("a.weight.in_sum2", TWO, 2).f32("a.weight.counts", new float[] {-4}, 1))),
        DAT_NEGATIVE_VALUE(Reason.NEGATIVE_VALUE, dat(new Dat().i32(1).entry("a.weight", 1, 1, -2))),
        GGUF_VERSION_9(Reason.BAD_GGUF, dir -> {
            Path p = new Gguf().entry("a.weight", 1).write(dir.resolve("bad.gguf"));
            byte[] b = Files.readAllBytes(p);
            b[4] = 9;
            return Files.write(p, b);
        }),
        GGUF_MODEL(Reason.NOT_AN_IMATRIX, gguf(withKey("general.type", GgufValue.string("model")))),
        GGUF_NO_CHUNK_SIZE(Reason.MISSING_KEY, gguf(without("imatrix.chunk_size"))),
        GGUF_NO_DATASETS(Reason.MISSING_KEY, gguf(without("imatrix.datasets"))),
        GGUF_CHUNK_COUNT_AS_I32(Reason.WRONG_VALUE_TYPE, gguf(withKey("imatrix.chunk_count", GgufValue.i32(3)))),
        GGUF_DATASETS_AS_INTS(Reason.WRONG_VALUE_TYPE, gguf(withKey("imatrix.datasets", GgufValue.intArray(GgufValueType.INT32, 1, 2)))),
        GGUF_SUMS_WITHOUT_COUNTS(Reason.MISSING_PARTNER, gguf(new Gguf().entry("a.weight", 1).f32("b.weight.in_sum2", TWO, 2))),
        GGUF_COUNTS_WITHOUT_SUMS(Reason.MISSING_PARTNER, gguf(new Gguf().f32("b.weight.counts", new float[] {1}, 1))),
        GGUF_F16_COUNTS(Reason.WRONG_TENSOR_TYPE, gguf(new Gguf().f32("a.weight.in_sum2", TWO, 2).tensor("a.weight.counts", GgmlType.F16, 1))),
        GGUF_COUNTS_FOR_OTHER_NMAT(Reason.BAD_SHAPE, gguf(new Gguf().f32("a.weight.in_sum2", new float[8], 2, 4)
                .f32("a.weight.counts", new float[3], 1, 3))),
        GGUF_3D_SUMS(Reason.BAD_SHAPE, gguf(new Gguf().f32("a.weight.in_sum2", new float[8], 2, 2, 2)
                .f32("a.weight.counts", new float[2], 1, 2)));

        final Reason reason;
        final Maker maker;

        Corruption(Reason reason, Maker maker) {
            this.reason = reason;
            this.maker = maker;
        }
    }

    private static Gguf withKey(String key, GgufValue value) {
        Gguf g = new Gguf().entry("a.weight", 1);
        g.md.put(key, value);
        return g;
    }

    private static Gguf without(String key) {
        Gguf g = new Gguf().entry("a.weight", 1);
        g.md.remove(key);
        return g;
    }

    @ParameterizedTest
    @EnumSource(Corruption.class)
    void refuses(Corruption c) throws IOException {
        Path file = c.maker.make(dir);
        var e = assertThrows(ImatrixFormatException.class, () -> ImatrixFiles.read(file));
        assertEquals(c.reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), "the message names the file: " + e.getMessage());
    }

    @Test
    void everyReasonHasACase() {
        Set<Reason> covered = EnumSet.noneOf(Reason.class);
        for (Corruption c : Corruption.values()) {
            covered.add(c.reason);
        }
        assertEquals(EnumSet.allOf(Reason.class), covered);
    }

    @Test
    void messagesNameTheEntryAndTheOffset() throws IOException {
        byte[] b = new Dat().i32(2).entry("a.weight", 1, TWO).entry("b.weight", 1, 1, 2, Float.NaN).bytes();
        var e = assertThrows(ImatrixFormatException.class, () -> ImatrixFiles.read(ByteSource.of(b, "m.dat")));
        assertEquals(b.length - 4, e.offset());
        assertEquals("m.dat at offset %d: entry 1 'b.weight' value 2 is NaN [NON_FINITE_VALUE]".formatted(b.length - 4), e.getMessage());
    }

    /**
     * Every cut of a valid .dat is refused as truncated (or, when too little is left for the entry count,
     * as a bad count at offset 0), except the cut just before the optional trailer.
     */
    @Test
    void everyTruncationOfADatIsRefused() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImatrixFiles.write(out, ImatrixFixtures.sample(), ImatrixFormat.DAT);
        byte[] full = out.toByteArray();
        int trailer = full.length - 8 - "calibration_datav3.txt".length();
        for (int cut = 0; cut < full.length; cut++) {
            ByteSource s = ByteSource.of(Arrays.copyOf(full, cut), "cut" + cut);
            if (cut == trailer) {
                assertEquals(3, ImatrixFiles.read(s).entries().size());
            } else {
                var e = assertThrows(ImatrixFormatException.class, () -> ImatrixFiles.read(s), "cut at " + cut);
                boolean countTooLarge = e.reason() == Reason.BAD_COUNT && e.offset() == 0;
                assertTrue(e.reason() == Reason.TRUNCATED || countTooLarge, e.getMessage());
            }
        }
    }
}
