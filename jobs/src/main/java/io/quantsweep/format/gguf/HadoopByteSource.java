package io.quantsweep.format.gguf;

import java.io.EOFException;
import java.io.IOException;
import java.util.Objects;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** A {@link ByteSource} over a file of any Hadoop file system, read with positional {@code readFully}. */
final class HadoopByteSource implements ByteSource {
    private final FSDataInputStream in;
    private final String name;
    private final long size;

    HadoopByteSource(FileSystem fs, Path path) throws IOException {
        this.name = Objects.requireNonNull(path, "path").toString();
        this.size = fs.getFileStatus(path).getLen();
        this.in = fs.open(path);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void readFully(long position, byte[] dst, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        if (position < 0 || position > size - len) {
            throw new EOFException("%s: %d bytes at offset %d run past the end (%d bytes)".formatted(name, len, position, size));
        }
        in.readFully(position, dst, off, len);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
