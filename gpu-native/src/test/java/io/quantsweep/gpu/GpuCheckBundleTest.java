package io.quantsweep.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/gpu-check refuses a bundle that scripts/gpu-check-prepare made from other sources than the
 * tree's, before it measures anything: run from a copy of the scripts over a small tree of sources.
 */
class GpuCheckBundleTest {
    private static final Path SCRIPTS = Path.of("..").toAbsolutePath().normalize().resolve("scripts");

    @TempDir
    Path root;

    @Test
    void aBundleFromOtherSourcesIsRefusedWithExitStatusTwo() throws Exception {
        Files.createDirectories(root.resolve("scripts"));
        for (String script : List.of("gpu-check", "gpu-source-stamp")) {
            Files.copy(SCRIPTS.resolve(script), root.resolve("scripts").resolve(script));
        }
        for (String source : List.of("pom.xml", "quant-udf/pom.xml", "quant-udf/src/main/java/Codec.java", "gpu-native/pom.xml",
                "gpu-native/src/main/cuda/convert.cu")) {
            Files.createDirectories(root.resolve(source).getParent());
            Files.writeString(root.resolve(source), source);
        }
        Path bundle = Files.createDirectories(root.resolve("gpu-native/target/gpu-bundle/lib"));
        String prepared = run("scripts/gpu-source-stamp").strip();
        Files.writeString(bundle.resolveSibling("SOURCE-STAMP"), prepared + "\n");

        Files.writeString(root.resolve("gpu-native/src/main/cuda/convert.cu"), "changed after the bundle was made");
        String now = run("scripts/gpu-source-stamp").strip();
        assertNotEquals(prepared, now, "a kernel source is part of the stamp");

        Path out = root.resolve("out");
        Process p = new ProcessBuilder("bash", root.resolve("scripts/gpu-check").toString(), out.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), output);
        String report = Files.readString(out.resolve("gpu-check.md"));
        assertTrue(report.contains("RESULT: FAIL: " + bundle.getParent() + " was built from other sources than this tree's ("
                + now + "); run scripts/gpu-check-prepare again"), report);
    }

    private String run(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", root.resolve(script).toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        return output;
    }
}
