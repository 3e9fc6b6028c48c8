package io.quantsweep.report;

import static io.quantsweep.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.cli.CliRun.Result;
import io.quantsweep.plan.DeploymentTargets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quantsweep report}: the page written atomically, bad folders refused with status 2 and one line. */
class ReportCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesThePageAndNothingElse() throws IOException {
        Path root = ReportFixture.tiny(Files.createDirectories(dir.resolve("out")));
        Path pages = Files.createDirectories(dir.resolve("pages"));
        Path page = pages.resolve("report.html");
        Result r = run("report", "--in", root.toString(), "--out", page.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("wrote " + page + " ("), r.out());
        try (Stream<Path> s = Files.list(pages)) {
            assertEquals(List.of(page), s.toList(), "no temporary or checksum file next to the page");
        }
        String html = Files.readString(page, StandardCharsets.UTF_8);
        assertEquals(HtmlReport.render(Analysis.read(RealModelFiles.fs(), new org.apache.hadoop.fs.Path(root.toString()),
                DeploymentTargets.builtIn())),
                html);

        Path targets = dir.resolve("targets.yaml");
        Files.writeString(targets, "overhead_per_device_gib: 0\ntargets:\n  - {name: laptop, devices: 1, memory_gib: 16}\n");
        assertEquals(0, run("report", "--in", root.toString(), "--out", page.toString(), "--targets", targets.toString()).status());
        String custom = Files.readString(page, StandardCharsets.UTF_8);
        assertTrue(custom.contains("<th>laptop <span class=\"pm\">GiB left</span></th>") && !custom.contains("8xH100-80GB"));
    }

    @Test
    void theJobsOwnOutputFoldersMakeTheSamePageAsAnOutputRoot() throws IOException {
        Path root = ReportFixture.tiny(Files.createDirectories(dir.resolve("out")));
        Path quant = Files.move(root.resolve(Columns.Folders.QUANT), dir.resolve("quants"));
        Path eval = Files.move(root.resolve(Columns.Folders.EVAL), dir.resolve("sweep"));
        Path page = dir.resolve("report.html");
        Result r = run("report", "--quant", quant.toString(), "--eval", eval.toString(), "--out", page.toString());
        assertEquals(0, r.status(), r.err());
        String html = Files.readString(page, StandardCharsets.UTF_8);
        assertTrue(html.contains("Read from <code>" + quant + "</code> and <code>" + eval + "</code>: quantization statistics, "
                + "a sweep summary, next-token divergence."), html);
        Files.move(quant, root.resolve(Columns.Folders.QUANT));
        Files.move(eval, root.resolve(Columns.Folders.EVAL));
        assertEquals(0, run("report", "--in", root.toString(), "--out", dir.resolve("root.html").toString()).status());
        assertEquals(Files.readString(dir.resolve("root.html")).replace("<code>" + root + "</code>", "FOLDERS"),
                html.replace("<code>" + quant + "</code> and <code>" + eval + "</code>", "FOLDERS"));

        Result swapped = run("report", "--quant", root.resolve(Columns.Folders.EVAL).toString(), "--out", page.toString());
        assertEquals(2, swapped.status());
        assertEquals("quantsweep: " + root.resolve(Columns.Folders.EVAL) + " is not a quantize job's output: it has no "
                + "_stats/tensors as Parquet", swapped.err().strip());
        Result missing = run("report", "--eval", dir.resolve("nothing").toString(), "--out", page.toString());
        assertEquals("quantsweep: no such sweep output folder: " + dir.resolve("nothing"), missing.err().strip());
        Result both = run("report", "--in", root.toString(), "--eval", root.toString(), "--out", page.toString());
        assertEquals(2, both.status());
        assertEquals("quantsweep: give --in DIR, or --quant DIR and/or --eval DIR; see 'quantsweep report --help'",
                both.err().strip());
    }

    @Test
    void badFoldersAreBadInput() throws IOException {
        Result missing = run("report", "--in", dir.resolve("nothing").toString(), "--out", dir.resolve("r.html").toString());
        assertEquals(2, missing.status());
        assertEquals("quantsweep: no such output folder: " + dir.resolve("nothing"), missing.err().strip());

        Result empty = run("report", "--in", dir.toString(), "--out", dir.resolve("r.html").toString());
        assertEquals(2, empty.status());
        assertTrue(empty.err().contains("it has neither quant/_stats/tensors (quantize) nor eval/summary or eval/kld (sweep) as Parquet"), empty.err());
        assertEquals(1, empty.err().lines().count());
        assertTrue(Files.notExists(dir.resolve("r.html")));

        Result usage = run("report", "--in", dir.toString());
        assertEquals(2, usage.status());
        assertTrue(usage.err().contains("Missing required option: '--out=FILE'; see 'quantsweep report --help'"), usage.err());
    }
}
