package io.quantsweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code notebooks/analysis.ipynb}: committed without outputs, and run headless by
 * {@code scripts/check-notebook} on the tiny, the DeepSeek-V3, the "apart", the "gap" and the kld-only
 * fixtures with every cell passing. The run needs the virtual environment {@code scripts/ci-setup} makes
 * ({@code .venv}); without it the run is skipped with the reason, or fails when {@code CI} is set.
 */
class NotebookTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path NOTEBOOK = ROOT.resolve("notebooks/analysis.ipynb");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void committedWithoutOutputs() throws IOException {
        JsonNode nb = JSON.readTree(NOTEBOOK.toFile());
        int code = 0;
        for (JsonNode cell : nb.get("cells")) {
            if (cell.get("cell_type").asText().equals("code")) {
                code++;
                assertEquals(0, cell.get("outputs").size(), "outputs in " + cell.get("source"));
                assertTrue(cell.get("execution_count").isNull(), "execution count in " + cell.get("source"));
            }
        }
        assertTrue(code >= 8, "code cells: " + code);
    }

    @Test
    void runsHeadlessOnEveryFixture() throws Exception {
        if (!Files.isExecutable(ROOT.resolve(".venv/bin/jupyter"))) {
            if (!System.getenv().getOrDefault("CI", "").isEmpty()) {
                fail(".venv has no jupyter: CI makes it with scripts/ci-setup");
            }
            Assumptions.abort(".venv has no jupyter (scripts/ci-setup makes it; with CI set this fails)");
        }
        Path work = Path.of("target", "notebook-fixtures").toAbsolutePath();
        Path tiny = ReportFixture.tiny(fresh(work.resolve("tiny")));
        Path deepSeek = ReportFixture.deepSeekV3(fresh(work.resolve("deepseek-v3")));
        Path apart = ReportFixture.apart(fresh(work.resolve("apart")));
        Path gap = ReportFixture.gap(fresh(work.resolve("gap")));
        Path kldOnly = ReportFixture.kldOnly(fresh(work.resolve("kld-only")));
        checkNotebook(work, Map.of(), tiny, deepSeek, apart, gap, kldOnly);

        // the tiny fixture: a scores table with the endpoint-only variant, and every chart
        JsonNode first = JSON.readTree(ROOT.resolve("target/notebook/analysis-1.ipynb").toFile());
        String text = outputs(first, "text/plain");
        assertTrue(text.contains("70.00**") && text.contains("56.00*") && text.contains("40.00 ±10.00"), text);
        assertTrue(text.contains("aime24  Q4_K_M  4    40.0    60.0    50.0"), "pass@1, pass@4 and cons@4: " + text);
        assertEquals(3, count(outputs(first, "image/png"), "\n---\n"), "size/score, bits, heatmaps");
        // DeepSeek-V3: the paper's weighted averages
        String second = outputs(JSON.readTree(ROOT.resolve("target/notebook/analysis-2.ipynb").toFile()), "text/plain");
        assertTrue(second.contains("75.73") && second.contains("68.73"), second);
        // no variant with both a size and a score: said, not drawn
        JsonNode third = JSON.readTree(ROOT.resolve("target/notebook/analysis-3.ipynb").toFile());
        assertTrue(streams(third).contains("No variant has both tensor statistics and a weighted score"), streams(third));
        assertEquals(2, count(outputs(third, "image/png"), "\n---\n"), "bits and heatmaps");
        // Q4_K_M without aime24: no averages and no point, as in the report; its drop against the baseline on its own benchmarks
        JsonNode fourth = JSON.readTree(ROOT.resolve("target/notebook/analysis-4.ipynb").toFile());
        String gapTable = outputs(fourth, "text/plain");
        assertTrue(gapTable.contains("68.24") && gapTable.contains("10.91%") && gapTable.contains("-13.64%"), gapTable);
        assertTrue(!gapTable.contains("65.33"), "Q4_K_M's weighted average over mmlu and gsm8k alone: " + gapTable);
        assertTrue(streams(fourth).contains("no average for Q4_K_M (missing: aime24), api (missing: aime24)"), streams(fourth));
        assertTrue(streams(fourth).contains("not drawn, without a weighted score: Q4_K_M"), streams(fourth));
        // a sweep of kld benchmarks alone (a summary without rows): the divergence table
        JsonNode fifth = JSON.readTree(ROOT.resolve("target/notebook/analysis-5.ipynb").toFile());
        assertTrue(streams(fifth).contains("No sweep summary: no scores table."), streams(fifth));
        assertTrue(outputs(fifth, "text/plain").contains("0.0871"), outputs(fifth, "text/plain"));

        // the jobs' own output folders, not under the root the notebook is given: the tiny fixture's figures
        Path parts = ReportFixture.tiny(fresh(work.resolve("parts")));
        checkNotebook(work, Map.of("QUANTSWEEP_QUANT", parts.resolve("quant").toString(),
                "QUANTSWEEP_EVAL", parts.resolve("eval").toString()), fresh(work.resolve("empty-root")));
        assertTrue(Files.readString(work.resolve("check-notebook.log")).contains("(with QUANTSWEEP_QUANT=" + parts.resolve("quant")
                + " QUANTSWEEP_EVAL=" + parts.resolve("eval") + ")"), "the run says it reads other folders");
        JsonNode apartFolders = JSON.readTree(ROOT.resolve("target/notebook/analysis-1.ipynb").toFile());
        assertEquals(outputs(first, "text/plain"), outputs(apartFolders, "text/plain").replace(parts.toString(), tiny.toString()));
    }

    /** Runs {@code scripts/check-notebook} on {@code roots} with {@code env} added, and requires it to pass. */
    private static void checkNotebook(Path work, Map<String, String> env, Path... roots) throws Exception {
        Path log = work.resolve("check-notebook.log");
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("scripts/check-notebook").toString()));
        Arrays.stream(roots).map(Path::toString).forEach(command::add);
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("scripts/check-notebook ran for 10 minutes: " + tail(log));
        }
        assertEquals(0, p.exitValue(), "scripts/check-notebook: " + tail(log));
    }

    private static Path fresh(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return Files.createDirectories(dir);
    }

    /** Every output of the given MIME type, each followed by a {@code ---} line. */
    private static String outputs(JsonNode nb, String mime) {
        List<String> out = new ArrayList<>();
        for (JsonNode cell : nb.get("cells")) {
            for (JsonNode o : cell.path("outputs")) {
                JsonNode data = o.path("data").path(mime);
                if (!data.isMissingNode()) {
                    StringBuilder b = new StringBuilder();
                    data.forEach(line -> b.append(line.asText()));
                    out.add((data.isTextual() ? data.asText() : b.toString()) + "\n---\n");
                }
            }
        }
        return String.join("", out);
    }

    /** Everything the cells printed. */
    private static String streams(JsonNode nb) {
        StringBuilder b = new StringBuilder();
        for (JsonNode cell : nb.get("cells")) {
            for (JsonNode o : cell.path("outputs")) {
                if (o.path("output_type").asText().equals("stream")) {
                    JsonNode text = o.path("text");
                    if (text.isTextual()) {
                        b.append(text.asText());
                    } else {
                        text.forEach(line -> b.append(line.asText()));
                    }
                }
            }
        }
        return b.toString();
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static String tail(Path log) throws IOException {
        String s = Files.readString(log, StandardCharsets.UTF_8);
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }
}
