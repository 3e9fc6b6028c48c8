package io.quantsweep;

import io.quantsweep.quant.LittleEndian;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The golden vectors copied into the jobs test resources (see {@code golden/README.md} there). */
public final class GoldenFiles {
    /** Shape of case {@code c1_normal}. */
    public static final int ROWS = 4;
    public static final int COLS = 2048;

    private GoldenFiles() {
    }

    public static byte[] bytes(String file) {
        try (InputStream in = GoldenFiles.class.getResourceAsStream("/golden/" + file)) {
            if (in == null) {
                throw new IllegalStateException("golden file missing from jobs test resources: " + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static float[] floats(String file) {
        byte[] b = bytes(file);
        return LittleEndian.toFloats(b, 0, b.length / 4);
    }

    /** Writes the golden file into {@code dir} under its own name and returns the copy. */
    public static Path copy(String file, Path dir) throws IOException {
        return Files.write(dir.resolve(file), bytes(file));
    }
}
