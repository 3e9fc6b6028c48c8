package io.quantsweep.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.fs.Syncable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {
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
    void refusesAMissingDirectoryNamingIt() {
        Path missing = dir.resolve("no/such");
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> AtomicOutput.write(missing.resolve("out.bin"), out -> out.write(1)));
        assertEquals(missing.toString(), e.getFile());
    }

    /**
     * The local file system, except that its output streams refuse {@code hsync} and do not offer it, as
     * S3A's do with {@code fs.s3a.downgrade.syncable.exceptions=false}.
     */
    private static final class WithoutHsync extends FilterFileSystem {
        WithoutHsync() {
            super(AtomicOutput.localFileSystem());
        }

        @Override
        public FSDataOutputStream create(org.apache.hadoop.fs.Path f, boolean overwrite, int bufferSize)
                throws IOException {
            OutputStream local = super.create(f, overwrite, bufferSize);
            return new FSDataOutputStream(new RefusesHsync(local), null);
        }
    }

    private static final class RefusesHsync extends FilterOutputStream implements Syncable, StreamCapabilities {
        RefusesHsync(OutputStream out) {
            super(out);
        }

        @Override
        public void hflush() {
            throw new UnsupportedOperationException("not Syncable");
        }

        @Override
        public void hsync() {
            throw new UnsupportedOperationException("not Syncable");
        }

        @Override
        public boolean hasCapability(String capability) {
            return false;
        }
    }

    @Test
    void commitsOnAStoreThatRefusesHsync() throws IOException {
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(dir.resolve("out.bin").toUri());
        AtomicOutput.write(new WithoutHsync(), target, out -> out.write(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve("out.bin")));
        assertEquals(List.of(dir.resolve("out.bin")), files());
    }
}
