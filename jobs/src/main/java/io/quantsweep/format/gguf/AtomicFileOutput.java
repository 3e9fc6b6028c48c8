package io.quantsweep.format.gguf;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * A file that becomes visible under its name only when complete.
 *
 * <p>Protocol: {@link #create} opens {@code .<name>.<uuid>.tmp} in the target's directory (so the
 * rename stays on one file system); the caller writes to {@link #stream()}; {@link #commit()} flushes,
 * forces the bytes to disk, closes and renames atomically over the target (replacing an older file,
 * as POSIX rename does). {@link #close()} without a commit deletes the temporary file, so a failed or
 * abandoned write leaves neither a partial target nor a stray temporary.
 */
public final class AtomicFileOutput implements Closeable {
    private final Path target;
    private final Path temporary;
    private final FileChannel channel;
    private final OutputStream stream;
    private boolean committed;
    private boolean closed;

    private AtomicFileOutput(Path target, Path temporary, FileChannel channel) {
        this.target = target;
        this.temporary = temporary;
        this.channel = channel;
        this.stream = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 20);
    }

    public static AtomicFileOutput create(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path temporary = abs.resolveSibling("." + abs.getFileName() + "." + UUID.randomUUID() + ".tmp");
        FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new AtomicFileOutput(abs, temporary, channel);
    }

    public Path target() {
        return target;
    }

    public Path temporary() {
        return temporary;
    }

    /** Where to write; do not close it (commit or close this object instead). */
    public OutputStream stream() {
        if (closed) {
            throw new IllegalStateException("output for " + target + " is already " + (committed ? "committed" : "closed"));
        }
        return stream;
    }

    /** Makes the complete file visible under the target name. */
    public void commit() throws IOException {
        if (closed) {
            throw new IllegalStateException("output for " + target + " is already " + (committed ? "committed" : "closed"));
        }
        stream.flush();
        channel.force(true);
        closed = true;
        stream.close();
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        committed = true;
    }

    /** Closes; deletes the temporary file unless {@link #commit()} succeeded. */
    @Override
    public void close() throws IOException {
        try {
            if (!closed) {
                closed = true;
                channel.close();
            }
        } finally {
            if (!committed) {
                Files.deleteIfExists(temporary);
            }
        }
    }
}
