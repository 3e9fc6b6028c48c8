package io.quantsweep.eval.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.io.AtomicOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batches become whole Parquet files; a task reads back what was committed, and only that. */
class SampleFilesTest {
    private static final FileSystem FS = AtomicOutput.localFileSystem();
    private static final Configuration CONF = new Configuration();

    @TempDir
    Path dir;

    static SampleRow row(String benchmark, String item, int sample, String hash) {
        return new SampleRow("v", benchmark, item, sample, "", hash, "t+none", " B", "B", "B", true, "grammar",
                Map.of("A", 0.25, "B", 0.75), Map.of(), null, 12.5, null, null, 1, "llama-server", "b1", "m",
                new TreeMap<>(Map.of("slots", "4")), "mc-grammar", 7L, 0.0, 1.0, 1, "s", 1_700_000_000_000L);
    }

    private org.apache.hadoop.fs.Path samples() {
        return new org.apache.hadoop.fs.Path(dir.resolve("samples").toUri());
    }

    private void write(String benchmark, String name, SampleRow... rows) throws IOException {
        SampleFiles.write(FS, CONF, SampleFiles.benchmarkDir(samples(), "v", benchmark), name, List.of(rows));
    }

    @Test
    void committedKeysAndTheirSettingsAreReadBack() throws IOException {
        write("mmlu", "part-a-00000.parquet", row("mmlu", "q1", 0, "h1"), row("mmlu", "q2", 0, "h2"));
        write("gsm8k", "part-a-00001.parquet", row("gsm8k", "q1", 0, "h3"));
        Map<SampleKey, SampleFiles.Committed> found = SampleFiles.existing(FS, CONF, samples(), "v");
        assertEquals(3, found.size());
        SampleFiles.Committed q2 = found.get(new SampleKey("mmlu", "q2", 0));
        assertEquals(SampleFiles.Settings.of(row("mmlu", "q2", 0, "h2")), q2.settings());
        assertTrue(q2.file().toString().endsWith("variant=v/benchmark=mmlu/part-a-00000.parquet"), q2.file().toString());
        assertEquals(Map.of(), SampleFiles.existing(FS, CONF, samples(), "other"));
        try (var files = Files.list(dir.resolve("samples/variant=v/benchmark=mmlu"))) {
            assertEquals(List.of("part-a-00000.parquet"), files.map(p -> p.getFileName().toString()).toList(),
                    "no temporary or checksum files stay behind");
        }
    }

    @Test
    void temporariesOfKilledTasksAreSkippedThenDeleted() throws IOException {
        write("mmlu", "part-a-00000.parquet", row("mmlu", "q1", 0, "h1"));
        Path stray = Files.writeString(dir.resolve("samples/variant=v/benchmark=mmlu/.part-b-00000.parquet.x.tmp"), "cut");
        assertEquals(1, SampleFiles.existing(FS, CONF, samples(), "v").size());
        assertEquals(1, SampleFiles.deleteTemporaries(FS, samples(), "v"));
        assertFalse(Files.exists(stray));
        assertEquals(1, SampleFiles.existing(FS, CONF, samples(), "v").size());
    }

    @Test
    void aKeyInTwoFilesIsRefusedNamingBoth() throws IOException {
        write("mmlu", "part-a-00000.parquet", row("mmlu", "q1", 0, "h1"));
        write("mmlu", "part-b-00000.parquet", row("mmlu", "q1", 0, "h1"));
        IOException e = assertThrows(IOException.class, () -> SampleFiles.existing(FS, CONF, samples(), "v"));
        assertTrue(e.getMessage().contains("mmlu/q1#0") && e.getMessage().contains("part-a-00000.parquet")
                && e.getMessage().contains("part-b-00000.parquet"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> write("mmlu", "q.parquet", row("mmlu", "q9", 0, "h")));
    }
}
