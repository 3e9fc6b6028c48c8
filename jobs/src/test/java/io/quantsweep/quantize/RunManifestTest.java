package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.JsonFile;
import io.quantsweep.arch.RealModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a run may do with an output directory. */
class RunManifestTest {
    private static final FileSystem FS = RealModelFiles.fs();

    @TempDir
    Path dir;

    private static RunManifest manifest(String variants, String fingerprint) {
        return manifest(variants, fingerprint, SOURCES);
    }

    private static final SortedMap<String, String> SOURCES = new TreeMap<>(Map.of(
            "model-00001-of-00002.safetensors", "4,000 bytes, modified 2026-11-01T10:00:00Z",
            "model-00002-of-00002.safetensors", "2,000 bytes, modified 2026-11-01T10:00:01Z"));

    private static RunManifest manifest(String variants, String fingerprint, SortedMap<String, String> sources) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("model", "hdfs://nn/models/DeepSeek-V3");
        p.put("variants", variants);
        p.put("source-precision", "bf16");
        return new RunManifest(p, fingerprint, sources);
    }

    private RunManifest.State check(RunManifest m, Path out) throws IOException {
        return m.check(FS, RealModelFiles.hadoop(out));
    }

    @Test
    void freshResumedAndComplete() throws IOException {
        RunManifest m = manifest("Q4_K_M,Q8_0", "abc");
        Path out = dir.resolve("out");
        assertEquals(RunManifest.State.FRESH, check(m, out), "missing");
        Files.createDirectory(out);
        assertEquals(RunManifest.State.FRESH, check(m, out), "empty");
        m.write(FS, RealModelFiles.hadoop(out));
        assertEquals(RunManifest.State.RESUME, check(m, out));
        assertEquals(m, RunManifest.read(FS, RealModelFiles.hadoop(out.resolve(RunManifest.FILE))));
        m.writeSuccess(FS, RealModelFiles.hadoop(out), JsonFile.JSON.createObjectNode().put("units", 3));
        assertEquals(RunManifest.State.COMPLETE, check(m, out));
        assertTrue(Files.readString(out.resolve(RunManifest.SUCCESS)).contains("\"variants\" : \"Q4_K_M,Q8_0\""));
    }

    @Test
    void aManifestOfAnEarlierVersionWithoutSourcesResumes() throws IOException {
        Path out = dir.resolve("out");
        manifest("Q4_K_M", "abc", new TreeMap<>()).write(FS, RealModelFiles.hadoop(out));
        String json = Files.readString(out.resolve(RunManifest.FILE));
        Files.writeString(out.resolve(RunManifest.FILE), json.replaceAll(",\\s*\"sources\" : \\{ ?}", ""));
        assertFalse(Files.readString(out.resolve(RunManifest.FILE)).contains("sources"));
        assertEquals(RunManifest.State.RESUME, check(manifest("Q4_K_M", "abc"), out));
    }

    @Test
    void aManifestKilledWhileItWasWrittenLeavesTheDirectoryFresh() throws IOException {
        RunManifest m = manifest("Q4_K_M", "abc");
        Path out = Files.createDirectory(dir.resolve("out"));
        Files.writeString(out.resolve("." + RunManifest.FILE + ".0b7e-killed.tmp"), "{\"vers");
        assertEquals(RunManifest.State.FRESH, check(m, out));
        m.write(FS, RealModelFiles.hadoop(out));
        try (var names = Files.list(out)) {
            assertEquals(List.of(RunManifest.FILE), names.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals(RunManifest.State.RESUME, check(m, out));
        Path other = Files.createDirectory(dir.resolve("other"));
        Files.writeString(other.resolve(".x.gguf.0b7e.tmp"), "");
        assertEquals(RunConflictException.Reason.NOT_EMPTY,
                assertThrows(RunConflictException.class, () -> check(m, other)).reason(), "another file's temporary");
    }

    @Test
    void otherRunsAndForeignFilesAreRefused() throws IOException {
        Path out = dir.resolve("out");
        manifest("Q4_K_M,Q8_0", "abc").write(FS, RealModelFiles.hadoop(out));

        RunConflictException args = assertThrows(RunConflictException.class, () -> check(manifest("Q4_K_M", "abc"), out));
        assertEquals(RunConflictException.Reason.DIFFERENT_RUN, args.reason());
        assertTrue(args.getMessage().contains("variants was 'Q4_K_M,Q8_0', now 'Q4_K_M'"), args.getMessage());
        RunConflictException inputs = assertThrows(RunConflictException.class, () -> check(manifest("Q4_K_M,Q8_0", "abd"), out));
        assertEquals(RunConflictException.Reason.DIFFERENT_RUN, inputs.reason());
        assertTrue(inputs.getMessage().endsWith(" holds a run of the same arguments on other inputs: since it started, the "
                + "checkpoint's headers, a recipe file or the importance matrix changed (fingerprint was abc, now abd); its "
                + "parts are not this run's: choose another directory, or delete this one to start again"), inputs.getMessage());
        SortedMap<String, String> revised = new TreeMap<>(SOURCES);
        revised.put("model-00002-of-00002.safetensors", "2,000 bytes, modified 2026-11-20T08:00:00Z");
        RunConflictException files = assertThrows(RunConflictException.class,
                () -> check(manifest("Q4_K_M,Q8_0", "abc", revised), out));
        assertTrue(files.getMessage().contains("since it started, checkpoint files changed: model-00002-of-00002.safetensors: "
                + "2,000 bytes, modified 2026-11-01T10:00:01Z → 2,000 bytes, modified 2026-11-20T08:00:00Z; its parts"),
                files.getMessage());

        Path foreign = Files.createDirectory(dir.resolve("foreign"));
        Files.writeString(foreign.resolve("x.gguf"), "");
        assertEquals(RunConflictException.Reason.NOT_EMPTY,
                assertThrows(RunConflictException.class, () -> check(manifest("Q8_0", "abc"), foreign)).reason());
        Path file = Files.writeString(dir.resolve("file"), "");
        assertEquals(RunConflictException.Reason.NOT_A_DIRECTORY,
                assertThrows(RunConflictException.class, () -> check(manifest("Q8_0", "abc"), file)).reason());
        Path bad = Files.createDirectory(dir.resolve("bad"));
        Files.writeString(bad.resolve(RunManifest.FILE), "{\"version\": 1}");
        assertEquals(RunConflictException.Reason.BAD_MANIFEST,
                assertThrows(RunConflictException.class, () -> check(manifest("Q8_0", "abc"), bad)).reason());
    }
}
