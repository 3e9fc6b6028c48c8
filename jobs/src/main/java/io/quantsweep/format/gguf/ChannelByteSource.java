package io.quantsweep.format.gguf;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.Objects;

/** A {@link ByteSource} over a channel: positional reads on a {@link FileChannel}, position-and-read under a lock otherwise. */
final class ChannelByteSource implements ByteSource {
    private final SeekableByteChannel channel;
    private final String name;
    private final long size;

    ChannelByteSource(SeekableByteChannel channel, String name) throws IOException {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.name = Objects.requireNonNull(name, "name");
        this.size = channel.size();
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
        ByteBuffer buf = ByteBuffer.wrap(dst, off, len);
        if (channel instanceof FileChannel fc) {
            while (buf.hasRemaining()) {
                int n = fc.read(buf, position + buf.position() - off);
                if (n < 0) {
                    throw eof(position, len);
                }
            }
        } else {
            synchronized (channel) {
                channel.position(position);
                while (buf.hasRemaining()) {
                    if (channel.read(buf) < 0) {
                        throw eof(position, len);
                    }
                }
            }
        }
    }

    private EOFException eof(long position, int len) {
        return new EOFException("%s: %d bytes at offset %d run past the end (%d bytes)".formatted(name, len, position, size));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

