package io.quantsweep.format.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Local files for the tests: Hadoop's {@code file://} file system and hand-made safetensors bytes. */
final class LocalFiles {
    private LocalFiles() {
    }

    static FileSystem fs() {
        try {
            return FileSystem.getLocal(new Configuration());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path path(java.nio.file.Path p) {
        return new Path(p.toUri());
    }

    /** A file with the 8-byte length prefix, {@code header} as given (no padding) and {@code dataBytes} zero bytes. */
    static java.nio.file.Path raw(java.nio.file.Path file, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return raw(file, json.length, json, dataBytes);
    }

    /** A file whose length prefix says {@code declaredLength}, followed by {@code header} and {@code dataBytes} zero bytes. */
    static java.nio.file.Path raw(java.nio.file.Path file, long declaredLength, byte[] header, int dataBytes)
            throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header);
        return Files.write(file, b.array());
    }

    static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
