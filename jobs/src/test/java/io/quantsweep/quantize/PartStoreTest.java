package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.QualityStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parts appear whole or not at all; checksums, records and their round trip. */
class PartStoreTest {
    @TempDir
    Path dir;

    private PartStore store() {
        return new PartStore(RealModelFiles.fs(), RealModelFiles.hadoop(dir.resolve("work")));
    }

    private List<String> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aPartIsItsDataThenItsPaddingUnderItsName() throws IOException {
        byte[] data = {1, 2, 3, 4, 5, 6, 7};
        PartStore.Checksum c = store().writePart(2, 41, "t7", data, 5, 3, PartStore.WriteHook.NONE);
        Path part = dir.resolve("work/parts/v2/u000041.part");
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 0, 0, 0}, Files.readAllBytes(part));
        CRC32C crc = new CRC32C();
        crc.update(Files.readAllBytes(part));
        assertEquals(new PartStore.Checksum(8, crc.getValue()), c);
        assertEquals(c, PartStore.checksum(data, 5, 3));
        assertTrue(store().verifyPart(2, 41, c));
        assertEquals(List.of("u000041.part"), files(part.getParent()));
    }

    @Test
    void aWriteThatDiesHalfwayLeavesNoPartAndNoTemporary() throws IOException {
        byte[] data = new byte[1000];
        IOException e = assertThrows(IOException.class, () -> store().writePart(0, 7, "t1", data, data.length, 0,
                (v, u) -> {
                    throw new IOException("disk full at unit " + u);
                }));
        assertEquals("disk full at unit 7", e.getMessage());
        assertEquals(List.of(), files(dir.resolve("work/parts/v0")));
        assertFalse(store().verifyPart(0, 7, PartStore.checksum(data, data.length, 0)));
    }

    @Test
    void aSecondAttemptOfTheSameBytesKeepsOnePart() throws IOException {
        byte[] data = {9, 8, 7};
        PartStore.Checksum first = store().writePart(0, 1, "t1", data, 3, 0, PartStore.WriteHook.NONE);
        PartStore.Checksum second = store().writePart(0, 1, "t2", data, 3, 0, PartStore.WriteHook.NONE);
        assertEquals(first, second);
        assertEquals(List.of("u000001.part"), files(dir.resolve("work/parts/v0")));
        assertFalse(store().verifyPart(0, 1, new PartStore.Checksum(3, first.crc32c() ^ 1)), "a wrong checksum is found");
        assertFalse(store().verifyPart(0, 1, new PartStore.Checksum(4, first.crc32c())), "a wrong size is found");
    }

    @Test
    void recordsRoundTripExactlyAndUnreadableOnesCountAsMissing() throws IOException {
        QualityStats s = QualityStats.of(4096, 0.1 + 0.2, 1e-300, 12345.678901234567, -3.5, Math.PI);
        UnitRecord r = new UnitRecord(12, "blk.1.ffn_down_exps.weight", 256, 512, List.of(
                new UnitRecord.Part("Q4_K_M", GgmlType.Q4_K, 36_864, 0xFFFF_FFFFL, s),
                new UnitRecord.Part("pure:Q8_0", GgmlType.Q8_0, 69_632, 0, new QualityStats())));
        store().writeRecord(r);
        assertEquals(Optional.of(r), store().readRecord(12));
        assertEquals(Optional.empty(), store().readRecord(13));
        Files.writeString(dir.resolve("work/units/u000013.json"), "{\"unit\": 13, \"tensor\": ");
        assertEquals(Optional.empty(), store().readRecord(13));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UnitRecord.fromJson("x.json", "{\"unit\": 1}".getBytes()));
        assertTrue(e.getMessage().startsWith("x.json: not a unit record"), e.getMessage());
    }
}
