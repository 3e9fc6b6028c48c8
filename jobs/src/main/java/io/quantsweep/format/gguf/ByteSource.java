package io.quantsweep.format.gguf;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.hadoop.fs.FileSystem;

/**
 * Positional, read-only access to the bytes of a file, the only thing {@link GgufReader} needs.
 *
 * <p>The shape is that of Hadoop's {@code PositionedReadable.readFully(long, byte[], int, int)}, so an
 * {@code FSDataInputStream} can back it without copying the file: it is backed by a Hadoop file
 * system's file, a {@link FileChannel}, any {@link SeekableByteChannel}, or a byte array.
 */
public interface ByteSource extends Closeable {

    /** A name for messages: the path or URI. */
    String name();

    /** Total bytes; fixed for the life of the source. */
    long size() throws IOException;

    /**
     * Reads exactly {@code len} bytes at {@code position} into {@code dst[off..off+len)}.
     *
     * @throws EOFException if the source ends first
     */
    void readFully(long position, byte[] dst, int off, int len) throws IOException;

    /** Opens {@code file} read-only. */
    static ByteSource open(Path file) throws IOException {
        return of(FileChannel.open(file, StandardOpenOption.READ), file.toString());
    }

    /** Opens {@code path} on {@code fs} ({@code file://}, {@code hdfs://}, {@code s3a://}) for positional reads. */
    static ByteSource open(FileSystem fs, org.apache.hadoop.fs.Path path) throws IOException {
        return new HadoopByteSource(fs, path);
    }

    /** Reads through {@code channel}, which this source closes; positional when it is a {@link FileChannel}. */
    static ByteSource of(SeekableByteChannel channel, String name) throws IOException {
        return new ChannelByteSource(channel, name);
    }

    /** An in-memory source over {@code bytes} (not copied). */
    static ByteSource of(byte[] bytes, String name) {
        return new ArrayByteSource(bytes, name);
    }
}
