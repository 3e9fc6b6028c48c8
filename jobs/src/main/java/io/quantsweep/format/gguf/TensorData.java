package io.quantsweep.format.gguf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The bytes of one tensor, as a writer consumes them: a size known before writing and a way to
 * stream them. {@link GgufWriter} checks both against the plan.
 */
public interface TensorData {

    /** Bytes {@link #writeTo} will write. */
    long size();

    /** Writes exactly {@link #size()} bytes to {@code out}. */
    void writeTo(OutputStream out) throws IOException;

    static TensorData of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return new TensorData() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(bytes);
            }
        };
    }

    /** The whole of {@code file}, such as a part a distributed task wrote. */
    static TensorData of(Path file) throws IOException {
        long size = Files.size(file);
        return new TensorData() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                Files.copy(file, out);
            }
        };
    }

    /** {@code length} bytes of {@code source} from {@code position}, copied in chunks. */
    static TensorData of(ByteSource source, long position, long length) {
        Objects.requireNonNull(source, "source");
        if (position < 0 || length < 0) {
            throw new IllegalArgumentException("negative range %d+%d in %s".formatted(position, length, source.name()));
        }
        return new TensorData() {
            @Override
            public long size() {
                return length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                byte[] buf = new byte[(int) Math.min(length, 1 << 20)];
                for (long done = 0; done < length; ) {
                    int n = (int) Math.min(buf.length, length - done);
                    source.readFully(position + done, buf, 0, n);
                    out.write(buf, 0, n);
                    done += n;
                }
            }
        };
    }
}
