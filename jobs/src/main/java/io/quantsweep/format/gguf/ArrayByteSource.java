package io.quantsweep.format.gguf;

import java.io.EOFException;
import java.util.Objects;

/** A {@link ByteSource} over a byte array, for tests and small in-memory files. */
final class ArrayByteSource implements ByteSource {
    private final byte[] bytes;
    private final String name;

    ArrayByteSource(byte[] bytes, String name) {
        this.bytes = Objects.requireNonNull(bytes, "bytes");
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public void readFully(long position, byte[] dst, int off, int len) throws EOFException {
        if (position < 0 || position > bytes.length - (long) len) {
            throw new EOFException("%s: %d bytes at offset %d run past the end (%d bytes)".formatted(name, len, position, bytes.length));
        }
        System.arraycopy(bytes, (int) position, dst, off, len);
    }

    @Override
    public void close() {
    }
}
