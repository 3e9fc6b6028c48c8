package io.quantsweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.cli.QuantSweep;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The report of the DeepSeek-V3 fixture ({@link ReportFixture#deepSeekV3}), written by the
 * {@code report} command and opened in headless Chromium (Debian's {@code chromium}; {@code scripts/ci-setup}
 * installs it): the browser's DOM holds the table and the charts with their data, a desktop
 * screenshot is a real picture, and on a phone-wide screen the page does not scroll sideways (only its
 * tables do). Without Chromium the tests are skipped with the reason, or fail when {@code CI} is set.
 * The files stay in {@code jobs/target/report-browser/} ({@code report.png} is the README's picture).
 */
class ReportInBrowserTest {
    private static final Path WORK = Path.of("target", "report-browser").toAbsolutePath();
    private static Path chromium;
    private static Path report;

    @BeforeAll
    static void writeReport() throws IOException {
        chromium = findChromium();
        Path out = WORK.resolve("out");
        if (Files.exists(WORK)) {
            try (var files = Files.walk(WORK)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        ReportFixture.deepSeekV3(Files.createDirectories(out));
        report = WORK.resolve("report.html");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int status = QuantSweep.run(new PrintWriter(stdout), new PrintWriter(stderr), "report", "--in", out.toString(), "--out",
                report.toString());
        assertEquals(0, status, stderr.toString());
    }

    @Test
    void theBrowsersDomHasTheTableAndTheChartsWithTheirData() throws Exception {
        String dom = run(List.of("--dump-dom", report.toUri().toString()), 60);
        assertEquals(9, count(dom, "<tr class=\"benchmark\""), "one row per benchmark");
        for (String row : List.of("average", "weighted", "drop")) {
            assertTrue(dom.contains("data-row=\"" + row + "\""), row);
        }
        // 5 variants, the FP8 API baseline first
        Matcher head = Pattern.compile("<thead><tr><th>Benchmark</th>(.*?)</tr></thead>").matcher(dom);
        assertTrue(head.find(), "the scores table's head");
        assertEquals(List.of("fp8-api", "Q4_K_M", "Q3_K_M", "DQ3_K_M", "Q2_K_L"),
                Pattern.compile("<th>([^<]+?)( <span[^>]*>\\(baseline\\)</span>)?</th>").matcher(head.group(1)).results()
                        .map(r -> r.group(1)).toList());
        assertEquals(7, count(dom, "<svg "), "size/score, bits, colour bar, four heatmaps");
        assertEquals(4, count(dom, "<circle "), "the four quantized variants");
        for (String v : ReportFixture.DEEPSEEK_VARIANTS) {
            assertTrue(dom.contains("<figure data-variant=\"" + v + "\">"), v);
            assertTrue(count(dom, "class=\"cell\" data-variant=\"" + v + "\"") > 61 * 10, v + ": a cell per layer and kind");
        }
        assertTrue(dom.contains("class=\"budget-label\" data-target=\"8xH100-80GB, 8xA100-80GB\" data-size=\"601.18\""),
                "one label for the two 80 GB targets, 2 px apart, at the H100's 8 × (79.65 − 4.5) GiB");
        assertEquals(3, count(dom, "class=\"budget-line\""), "a line per target");
        assertTrue(dom.contains("class=\"budget-label\" data-target=\"8xAscend910B-64GB\" data-size=\"476\""), "and the 64 GiB one");
        Matcher dq3 = Pattern.compile("data-variant=\"DQ3_K_M\" data-size=\"([0-9.]+)\" data-score=\"([0-9.]+)\"").matcher(dom);
        assertTrue(dq3.find(), "the DQ3_K_M point");
        double gib = Double.parseDouble(dq3.group(1));
        assertTrue(gib > 278 && gib < 281, "DQ3_K_M holds " + gib + " GiB of tensors (paper: 281G)");
        assertEquals(75.73, Double.parseDouble(dq3.group(2)), 0.01, "the paper's weighted average of DQ3_K_M on V3");
    }

    @Test
    void aDesktopScreenshotIsARealPicture() throws Exception {
        Path png = WORK.resolve("report.png");
        run(List.of("--hide-scrollbars", "--window-size=1100,2600", "--screenshot=" + png, report.toUri().toString()), 60);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1100, image.getWidth());
        Set<Integer> colours = new HashSet<>();
        int blue = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                blue += rgb == 0x1f77b4 ? 1 : 0;
            }
        }
        assertTrue(colours.size() > 200, "colours in the picture: " + colours.size());
        assertTrue(blue > 50, "pixels of the first palette colour (points, bars): " + blue);
    }

    @Test
    void onAPhoneOnlyTheTablesScrollSideways() throws Exception {
        Path harness = WORK.resolve("phone.html");
        Files.writeString(harness, """
                <!DOCTYPE html><html><body style="margin:0">
                <iframe id="f" src="report.html" style="width:390px;height:844px;border:0"
                  onload="var d=this.contentDocument;document.body.setAttribute('data-width',d.documentElement.scrollWidth);
                          document.body.setAttribute('data-client-width',d.documentElement.clientWidth);
                          document.body.setAttribute('data-table-width',d.querySelector('table.scores').scrollWidth)"></iframe>
                </body></html>
                """, StandardCharsets.UTF_8);
        String dom = run(List.of("--allow-file-access-from-files", "--virtual-time-budget=10000", "--dump-dom", harness.toUri().toString()), 60);
        Matcher m = Pattern.compile("data-width=\"(\\d+)\" data-client-width=\"(\\d+)\" data-table-width=\"(\\d+)\"").matcher(dom);
        assertTrue(m.find(), "the harness measured the page: " + dom);
        int client = Integer.parseInt(m.group(2));
        assertTrue(client > 300 && client <= 390, "the page's width on a 390 px screen: " + client);
        assertEquals(client, Integer.parseInt(m.group(1)), "nothing sticks out sideways");
        assertTrue(Integer.parseInt(m.group(3)) > client, "the scores table is wider and scrolls in its box");
        run(List.of("--hide-scrollbars", "--window-size=390,2400", "--screenshot=" + WORK.resolve("report-phone.png"),
                report.toUri().toString()), 60);
    }

    private static Path findChromium() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        if (!System.getenv().getOrDefault("CI", "").isEmpty()) {
            fail("chromium is missing: CI installs it with scripts/ci-setup");
        }
        Assumptions.abort("chromium is not installed (scripts/ci-setup installs it; with CI set this fails)");
        return null;
    }

    /**
     * Runs headless Chromium with a fresh profile and no network chatter; returns its standard output. A
     * Chromium that hangs (now and then one never delivers its screenshot on a busy machine) is killed and
     * tried once more, with a fresh profile; a second hang fails, with its log.
     */
    private static String run(List<String> args, int seconds) throws Exception {
        Path log = WORK.resolve("chromium.log");
        // standard output to a file too: reading a pipe would wait for ever on a Chromium that hangs
        Path out = WORK.resolve("chromium.out");
        for (int attempt = 1; ; attempt++) {
            Path profile = Files.createTempDirectory(Files.createDirectories(WORK), "chromium-profile");
            List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile));
            command.addAll(args);
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
            if (p.waitFor(seconds, TimeUnit.SECONDS)) {
                assertEquals(0, p.exitValue(), "chromium " + args + ": " + Files.readString(log));
                return Files.readString(out, StandardCharsets.UTF_8);
            }
            p.destroyForcibly().waitFor();
            if (attempt == 2) {
                fail("chromium did not finish in " + seconds + " s, twice: " + command + "\n" + Files.readString(log));
            }
        }
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
