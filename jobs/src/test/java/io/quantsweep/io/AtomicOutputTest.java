package io.quantsweep.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class AtomicOutputTest {
    @TempDir
    Path dir;

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void replacesTheTargetWhenTheBodyCompletes() throws IOException {
        Path target = Files.write(dir.resolve("out.bin"), new byte[] {9, 9, 9, 9});
        AtomicOutput.write(target, out -> out.write(new byte[] {1, 2}));
        assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(target));
        assertEquals(List.of(target), files());
    }

    @Test
    void aReaderAlwaysFindsTheOldFileOrTheNew() throws Exception {
        Path target = Files.write(dir.resolve("_run.json"), new byte[] {0});
        assertEquals(0, timesMissingWhileReplaced(AtomicOutput.localFileSystem(),
                new org.apache.hadoop.fs.Path(target.toUri()), 100), "times a reader found no file");
        assertArrayEquals(new byte[] {100}, Files.readAllBytes(target));
        assertEquals(List.of(target), files());
    }

    /**
     * Replaces {@code target} with one-byte files 1, 2, ... {@code writes} while another thread looks
     * for it, all the while; returns how often that thread found no file.
     */
    public static int timesMissingWhileReplaced(FileSystem fs, org.apache.hadoop.fs.Path target, int writes)
            throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger missing = new AtomicInteger();
        AtomicInteger looks = new AtomicInteger();
        CountDownLatch looking = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                try {
                    if (!fs.exists(target)) {
                        missing.incrementAndGet();
                    }
                } catch (IOException e) {
                    missing.incrementAndGet();
                }
                looks.incrementAndGet();
                looking.countDown();
            }
        });
        reader.start();
        int looksBefore;
        try {
            looking.await();
            looksBefore = looks.get();
            for (int i = 1; i <= writes; i++) {
                byte[] body = {(byte) i};
                AtomicOutput.write(fs, target, out -> out.write(body));
            }
        } finally {
            done.set(true);
            reader.join();
        }
        assertTrue(looks.get() > looksBefore + writes, "the reader looked " + (looks.get() - looksBefore)
                + " times during " + writes + " writes");
        return missing.get();
    }

    @Test
    void aFailingBodyLeavesTheOldTargetAndNoTemporaryFile() throws IOException {
        Path target = Files.write(dir.resolve("out.bin"), new byte[] {9, 9, 9, 9});
        IOException e = assertThrows(IOException.class, () -> AtomicOutput.write(target, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertArrayEquals(new byte[] {9, 9, 9, 9}, Files.readAllBytes(target));
        assertEquals(List.of(target), files());
    }

    @Test
    void aFailingBodyCreatesNoTarget() throws IOException {
        Path target = dir.resolve("out.bin");
        assertThrows(IllegalArgumentException.class, () -> AtomicOutput.write(target, out -> {
            throw new IllegalArgumentException("bad row");
        }));
        assertEquals(List.of(), files());
    }

    @Test
    void refusesADirectoryTargetAtOnceNamingIt() throws IOException {
        Path target = Files.createDirectory(dir.resolve("out.bin"));
        IsDirectoryException local = assertThrows(IsDirectoryException.class, () -> AtomicOutput.create(target));
        assertEquals(target + ": is a directory, not a file", local.getMessage());

        org.apache.hadoop.fs.Path hadoop = new org.apache.hadoop.fs.Path(dir.toUri().resolve("out.bin"));
        IsDirectoryException remote = assertThrows(IsDirectoryException.class,
                () -> AtomicOutput.create(AtomicOutput.localFileSystem(), hadoop));
        assertEquals(hadoop.toString(), remote.getFile());
        assertEquals(List.of(target), files());
        try (Stream<Path> s = Files.list(target)) {
            assertEquals(0, s.count(), "no temporary file inside the directory either");
        }
    }

    @Test
    void refusesAMissingDirectoryNamingIt() {
        Path missing = dir.resolve("no/such");
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> AtomicOutput.write(missing.resolve("out.bin"), out -> out.write(1)));
        assertEquals(missing.toString(), e.getFile());
    }
}
