package io.quantsweep.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ggml's golden vectors, vendored from {@code shared/golden} into the test resources (see the README
 * there): the manifest and the files it lists.
 */
public final class Golden {
    /** One manifest entry. */
    public record Entry(String file, String caseName, String kind, String type, int rows, int cols,
                        boolean imatrix, long bytes, String sha256, String dequantFile) {
        public GgmlType ggmlType() {
            return GgmlType.parse(type);
        }

        /** "c1_normal.Q4_K.imat.bin" reads better in test names than the record. */
        @Override
        public String toString() {
            return file;
        }
    }

    /** Shape of every golden case: rows × columns. */
    public static final int ROWS = 4;
    public static final int COLS = 2048;

    private static final List<Entry> ENTRIES = load();

    private Golden() {
    }

    private static List<Entry> load() {
        try {
            JsonNode root = new ObjectMapper().readTree(bytes("manifest.json"));
            List<Entry> out = new ArrayList<>();
            for (JsonNode f : root.get("files")) {
                out.add(new Entry(f.get("file").asText(), f.get("case").asText(), f.get("kind").asText(),
                        f.get("type").isNull() ? null : f.get("type").asText(), f.get("rows").asInt(),
                        f.get("cols").asInt(), "yes".equals(f.get("imatrix").asText()), f.get("bytes").asLong(),
                        f.get("sha256").asText(), f.has("dequant_file") ? f.get("dequant_file").asText() : null));
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file of the manifest. */
    public static List<Entry> entries() {
        return ENTRIES;
    }

    /** Every quantized file of the manifest ({@code kind == quant}). */
    public static List<Entry> quantEntries() {
        return ENTRIES.stream().filter(e -> e.kind().equals("quant")).toList();
    }

    /** The bytes of a golden file. */
    public static byte[] bytes(String file) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + file)) {
            if (in == null) {
                throw new IllegalStateException("golden file missing from test resources: " + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A golden float32 file. */
    public static float[] floats(String file) {
        byte[] b = bytes(file);
        return LittleEndian.toFloats(b, 0, b.length / 4);
    }

    /** Writes a golden file into {@code dir} under its own name and returns the copy. */
    public static Path copy(String file, Path dir) throws IOException {
        return Files.write(dir.resolve(file), bytes(file));
    }

    /** The input rows of a case. */
    public static float[] input(String caseName) {
        return floats(caseName + ".f32");
    }

    /** The importance vector of a case. */
    public static float[] importance(String caseName) {
        return floats(caseName + ".imatrix.f32");
    }
}
