package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.gpu.Device;
import io.quantsweep.io.ClasspathText;
import io.quantsweep.spark.LocalSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The quantize job's files against the ones llama.cpp's own llama-quantize wrote for the same model:
 * identical as whole files (tensors, their types and order, and the metadata), in both MLA layouts. The
 * reference is llama-quantize v0.5.0's, from QuantSweep's F32 conversion, so the job quantizes from
 * F32 too; how the hashes were made is in the resource's header.
 */
@ExtendWith(LocalSpark.class)
class LlamaQuantizeFilesTest {
    private static final String REFERENCE = "/llama-quantize/tiny-seed7-v0.5.0.sha256";
    private static final List<String> TYPES = List.of("Q8_0", "Q6_K", "Q4_K_M", "Q3_K_M", "Q2_K");

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void generate() throws IOException {
        model = TinyModel.checkpoint(dir);
    }

    @ParameterizedTest
    @EnumSource(MlaLayout.class)
    void everyFileIsLlamaQuantizesByteForByte(MlaLayout layout, SparkSession spark) throws IOException {
        String name = layout.name().toLowerCase(Locale.ROOT);
        Path out = dir.resolve(name);
        QuantizeJobTest.run(spark, QuantizeOptions.of(model.toString(), TYPES, out.toString()).withDevice(Device.CPU)
                .withSourcePrecision(SourcePrecision.F32).withMla(layout));
        Map<String, String> expected = new TreeMap<>();
        Map<String, String> actual = new TreeMap<>();
        references().forEach((key, file) -> {
            if (key.startsWith(name + "/")) {
                expected.put(key, file);
            }
        });
        for (String type : TYPES) {
            Path f = out.resolve(type).resolve(model.getFileName() + "-" + type + ".gguf");
            actual.put(name + "/" + type, sha256(f) + "  " + Files.size(f));
        }
        assertEquals(expected, actual);
    }

    /** The reference's lines, "layout/type" to "hash  length". */
    private static Map<String, String> references() {
        Map<String, String> files = new TreeMap<>();
        for (String line : ClasspathText.read(LlamaQuantizeFilesTest.class, REFERENCE, REFERENCE).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] f = line.trim().split("\\s+");
                files.put(f[1], f[0] + "  " + f[2]);
            }
        }
        return files;
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
