package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.RealModelFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Files assembled from parts by concat and by copy, verified, committed; damage found and named. The
 * copy runs in the kernel on the raw local file system and as a stream on any other, such as Hadoop's
 * checksummed local one.
 */
class ShardAssemblerTest {
    private static final FileSystem FS = RealModelFiles.fs();

    static List<FileSystem> fileSystems() throws IOException {
        return List.of(FS, FileSystem.newInstanceLocal(new Configuration()));
    }

    @TempDir
    Path dir;

    /** Writes {@code count} seeded parts through a {@link PartStore} and returns the job that joins them. */
    private ShardJob job(int count, ByteArrayOutputStream expected) throws IOException {
        PartStore store = new PartStore(FS, RealModelFiles.hadoop(dir.resolve("work")));
        byte[] header = "GGUF-header-of-test".getBytes();
        expected.write(header);
        SplittableRandom r = new SplittableRandom(3);
        List<ShardJob.PartRef> refs = new ArrayList<>();
        for (int u = 0; u < count; u++) {
            byte[] data = new byte[1 + r.nextInt(300_000)];
            r.nextBytes(data);
            long padding = u % 3;
            PartStore.Checksum c = store.writePart(0, u, "test", data, data.length, padding, PartStore.WriteHook.NONE);
            expected.write(data);
            expected.write(new byte[(int) padding]);
            refs.add(new ShardJob.PartRef(store.part(0, u).toString(), c.bytes(), c.crc32c()));
        }
        return new ShardJob("V", 0, RealModelFiles.hadoop(dir.resolve("out/V/m-V.gguf")).toString(),
                store.partsDirectory(0).toString(), header, refs);
    }

    @ParameterizedTest
    @EnumSource(ShardAssembler.Mode.class)
    void assemblesTheHeaderAndThePartsInOrder(ShardAssembler.Mode mode) throws IOException {
        for (FileSystem fs : fileSystems()) {
            assemblesTheHeaderAndThePartsInOrder(fs, mode);
        }
    }

    private void assemblesTheHeaderAndThePartsInOrder(FileSystem fs, ShardAssembler.Mode mode) throws IOException {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        ShardJob job = job(7, expected);
        new ShardAssembler(fs).assemble(job, mode);
        Path target = dir.resolve("out/V/m-V.gguf");
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(target));
        assertEquals(job.fileSize(), Files.size(target));
        try (var files = Files.list(dir.resolve("work/parts/v0"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file is left");
        }
    }

    @Test
    void verificationNamesTheFirstDamagedPart() throws IOException {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        ShardJob job = job(4, expected);
        new ShardAssembler(FS).assemble(job, ShardAssembler.Mode.COPY);
        Path target = dir.resolve("out/V/m-V.gguf");
        long third = job.header().length + job.parts().get(0).bytes() + job.parts().get(1).bytes() + 3;
        QuantizeResumeTest.flipByte(target, third);
        ShardVerificationException e = assertThrows(ShardVerificationException.class,
                () -> new ShardAssembler(FS).verify(RealModelFiles.hadoop(target), job));
        assertTrue(e.getMessage().contains("part 2 (u000002.part, bytes [" + (third - 3) + ", "), e.getMessage());
        QuantizeResumeTest.flipByte(target, third);
        QuantizeResumeTest.flipByte(target, 2);
        e = assertThrows(ShardVerificationException.class, () -> new ShardAssembler(FS).verify(RealModelFiles.hadoop(target), job));
        assertTrue(e.getMessage().contains("the header"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("fileSystems")
    void aMissingPartFailsTheAssemblyAndLeavesNoFile(FileSystem fs) throws IOException {
        ShardJob job = job(3, new ByteArrayOutputStream());
        Files.delete(Path.of(java.net.URI.create(job.parts().get(1).path())));
        IOException e = assertThrows(IOException.class, () -> new ShardAssembler(fs).assemble(job, ShardAssembler.Mode.AUTO));
        assertTrue(e.getMessage().contains("u000001.part") && e.getMessage().contains("missing"), e.getMessage());
        assertNothingLeft();
    }

    @ParameterizedTest
    @MethodSource("fileSystems")
    void aPartOfTheWrongSizeFailsTheAssemblyAndLeavesNoFile(FileSystem fs) throws IOException {
        ShardJob job = job(3, new ByteArrayOutputStream());
        Path part = Path.of(java.net.URI.create(job.parts().get(2).path()));
        Files.write(part, Arrays.copyOf(Files.readAllBytes(part), (int) job.parts().get(2).bytes() - 1));
        ShardVerificationException e = assertThrows(ShardVerificationException.class,
                () -> new ShardAssembler(fs).assemble(job, ShardAssembler.Mode.COPY));
        assertTrue(e.getMessage().contains("u000002.part") && e.getMessage().contains("its unit record says " + job.parts().get(2).bytes()),
                e.getMessage());
        assertNothingLeft();
    }

    private void assertNothingLeft() throws IOException {
        assertFalse(Files.exists(dir.resolve("out/V/m-V.gguf")));
        try (var files = Files.list(dir.resolve("work/parts/v0"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }
}
