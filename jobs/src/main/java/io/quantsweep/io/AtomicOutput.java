package io.quantsweep.io;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.hdfs.DistributedFileSystem;

/**
 * A file that becomes visible under its name only when complete, on any Hadoop file system
 * ({@code file://}, {@code hdfs://}, {@code s3a://}).
 *
 * <p>Protocol: {@link #create} opens {@code .<name>.<uuid>.tmp} in the target's directory (same file
 * system, so the rename is atomic where the file system's rename is); the caller writes to
 * {@link #stream()}; {@link #commit()} syncs (where the store can), closes and renames over the target,
 * replacing an older file ({@link #replace}: in one step on local disks and HDFS). {@link #close()} without a commit deletes the temporary file, so a failed or
 * abandoned write leaves neither a partial target nor a stray temporary; a crash can leave a stray
 * {@code .tmp}, never a truncated target. Local paths use Hadoop's raw local file system, so no
 * {@code .crc} side files appear next to the outputs.
 */
public final class AtomicOutput implements Closeable {
    /** What to write. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private final FileSystem fs;
    private final Path target;
    private final Path temporary;
    private final FSDataOutputStream stream;
    private boolean committed;
    private boolean closed;

    private AtomicOutput(FileSystem fs, Path target, Path temporary, FSDataOutputStream stream) {
        this.fs = fs;
        this.target = target;
        this.temporary = temporary;
        this.stream = stream;
    }

    /**
     * Opens the temporary file of {@code target}; its directory must exist, and {@code target} must not be
     * a directory: the rename over it would fail only at {@link #commit()}, after all the writing.
     */
    public static AtomicOutput create(FileSystem fs, Path target) throws IOException {
        Path dir = target.getParent();
        if (dir == null || !fs.getFileStatus(dir).isDirectory()) {
            throw new NoSuchFileException(String.valueOf(dir), null, "not a directory");
        }
        if (isDirectory(fs, target)) {
            throw new IsDirectoryException(target.toString());
        }
        Path temporary = new Path(dir, "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        return new AtomicOutput(fs, target, temporary, fs.create(temporary, false, 1 << 20));
    }

    /** {@link #create(FileSystem, Path)} for a local file. */
    public static AtomicOutput create(java.nio.file.Path target) throws IOException {
        java.nio.file.Path abs = target.toAbsolutePath();
        if (!Files.isDirectory(abs.getParent())) {
            throw new NoSuchFileException(abs.getParent().toString());
        }
        // checked here too: the URI of a directory ends in '/', which would make it the temporary's folder
        if (Files.isDirectory(abs)) {
            throw new IsDirectoryException(target.toString());
        }
        return create(localFileSystem(), new Path(abs.toUri()));
    }

    /** Writes {@code body} to {@code target}, replacing an existing file only when complete. */
    public static void write(FileSystem fs, Path target, Body body) throws IOException {
        try (AtomicOutput out = create(fs, target)) {
            body.writeTo(out.stream());
            out.commit();
        }
    }

    /** {@link #write(FileSystem, Path, Body)} for a local file. */
    public static void write(java.nio.file.Path target, Body body) throws IOException {
        try (AtomicOutput out = create(target)) {
            body.writeTo(out.stream());
            out.commit();
        }
    }

    private static boolean isDirectory(FileSystem fs, Path path) throws IOException {
        try {
            return fs.getFileStatus(path).isDirectory();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    /** The local file system as {@link HadoopFileSystems} gives it: no checksum side files. */
    public static FileSystem localFileSystem() {
        try {
            return HadoopFileSystems.of(new Path("file:///"), new Configuration());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path target() {
        return target;
    }

    public Path temporary() {
        return temporary;
    }

    /** Where to write; do not close it (commit or close this object instead). */
    public OutputStream stream() {
        requireOpen();
        return stream;
    }

    /**
     * Makes what {@code stream} wrote durable before its file is renamed into place: without it a crash
     * after the rename could expose a complete name over lost data. Object stores (s3a) store nothing
     * before the close, which publishes the data; they do not offer hsync (S3A warns of every call, or
     * refuses it with {@code fs.s3a.downgrade.syncable.exceptions=false}), so it is asked for only where
     * the stream offers it.
     */
    public static void sync(FSDataOutputStream stream) throws IOException {
        if (stream.hasCapability(StreamCapabilities.HSYNC)) {
            stream.hsync();
        }
    }

    /** Makes the complete file visible under the target name. */
    public void commit() throws IOException {
        requireOpen();
        sync(stream);
        closed = true;
        stream.close();
        replace(fs, temporary, target);
        committed = true;
    }

    /**
     * Renames {@code source} to {@code target}, replacing a file there. The raw local file system (POSIX
     * rename; {@link HadoopFileSystems} gives every local path one) and HDFS (a rename with overwrite is
     * one namenode operation) replace in one step, so a reader sees the old file or the new one, never
     * neither. Elsewhere the old file is deleted first: object stores (s3a) have no such step, their
     * rename being a copy.
     */
    public static void replace(FileSystem fs, Path source, Path target) throws IOException {
        if (fs instanceof RawLocalFileSystem local) {
            Files.move(local.pathToFile(source).toPath(), local.pathToFile(target).toPath(),
                    StandardCopyOption.ATOMIC_MOVE);
        } else if (fs instanceof DistributedFileSystem hdfs) {
            hdfs.rename(source, target, Options.Rename.OVERWRITE);
        } else {
            if (fs.exists(target) && !fs.delete(target, false)) {
                throw new IOException("cannot replace " + target);
            }
            if (!fs.rename(source, target)) {
                throw new IOException("cannot rename " + source + " to " + target);
            }
        }
    }

    /** Closes; deletes the temporary file unless {@link #commit()} succeeded. */
    @Override
    public void close() throws IOException {
        try {
            if (!closed) {
                closed = true;
                stream.close();
            }
        } finally {
            if (!committed) {
                fs.delete(temporary, false);
            }
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("output for " + target + " is already " + (committed ? "committed" : "closed"));
        }
    }
}
