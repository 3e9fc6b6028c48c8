package io.quantsweep.cli;

import static io.quantsweep.cli.CliRun.run;
import static io.quantsweep.quant.Golden.COLS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.cli.CliRun.Result;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.Golden;
import io.quantsweep.quant.LittleEndian;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The command line run in-process: golden bytes out, and one line with the right status for bad input. */
class QuantSweepTest {
    @TempDir
    Path dir;

    /** Status 2, and exactly one stderr line: {@code quantsweep: ...expected...}. */
    private static void assertBadInput(Result r, String expected) {
        assertEquals(QuantSweep.BAD_INPUT, r.status(), r.err());
        assertTrue(r.err().startsWith("quantsweep: ") && r.err().contains(expected), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    // one row per golden file; a new codec gets a row once its golden files are in test resources
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "Q8_0, ,                      c1_normal.Q8_0.bin",
        "Q8_0, c1_normal.imatrix.f32, c1_normal.Q8_0.bin",
        "F16,  ,                      c1_normal.F16.bin",
    })
    void quantizeWritesGgmlBytes(String type, String imatrix, String golden) throws IOException {
        List<String> args = new ArrayList<>(List.of("codec", "quantize", "--type", type, "--cols", "" + COLS));
        if (imatrix != null) {
            args.addAll(List.of("--imatrix", Golden.copy(imatrix, dir).toString()));
        }
        Path out = dir.resolve("out.bin");
        args.addAll(List.of(Golden.copy("c1_normal.f32", dir).toString(), out.toString()));

        Result r = run(args.toArray(String[]::new));
        assertEquals(new Result(0, "", ""), r);
        assertArrayEquals(Golden.bytes(golden), Files.readAllBytes(out));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "Q8_0, c1_normal.Q8_0.bin, c1_normal.Q8_0.deq.f32",
        "f16,  c1_normal.F16.bin,  c1_normal.F16.deq.f32",
    })
    void dequantizeWritesGgmlFloats(String type, String bin, String golden) throws IOException {
        Path out = dir.resolve("out.f32");
        Result r = run("codec", "dequantize", "--type", type, "--cols", "" + COLS,
                Golden.copy(bin, dir).toString(), out.toString());
        assertEquals(new Result(0, "", ""), r);
        assertArrayEquals(Golden.bytes(golden), Files.readAllBytes(out));
    }

    @Test
    void aNaNFailsWithItsRowAndColumnAndLeavesTheOldOutput() throws IOException {
        float[] x = Golden.floats("c1_normal.f32");
        x[2 * COLS + 5] = Float.NaN;
        Path in = Files.write(dir.resolve("nan.f32"), LittleEndian.toBytes(x));
        Path out = Files.writeString(dir.resolve("out.bin"), "old");

        assertBadInput(run("codec", "quantize", "--type", "Q8_0", "--cols", "" + COLS, in.toString(), out.toString()),
                "value NaN at row 2, column 5");
        assertEquals("old", Files.readString(out));
        assertEquals(List.of(in, out), files());
    }

    @Test
    void refusesAFileOfPartialRows() throws IOException {
        Path in = Files.write(dir.resolve("in.f32"), new byte[4 * COLS + 4]);
        assertBadInput(run("codec", "quantize", "--type", "F16", "--cols", "" + COLS, in.toString(), dir + "/o"),
                "8196 bytes are not whole rows of 2048 float32 values (8192 bytes each): 4 bytes left over");
        assertEquals(List.of(in), files());
    }

    @Test
    void refusesAnImportanceVectorOfTheWrongLength() throws IOException {
        Path in = Golden.copy("c1_normal.f32", dir);
        Path imatrix = Files.write(dir.resolve("imp.f32"), new byte[16]);
        assertBadInput(run("codec", "quantize", "--type", "Q8_0", "--cols", "" + COLS, "--imatrix", imatrix.toString(),
                in.toString(), dir + "/o"), "imp.f32: 16 bytes, expected 8192");
    }

    @Test
    void refusesUnknownTypesTypesWithoutACodecAndBadRowLengths() throws IOException {
        String in = Golden.copy("c1_normal.f32", dir).toString();
        assertBadInput(run("codec", "quantize", "--type", "Q9_Z", "--cols", "" + COLS, in, dir + "/o"),
                "Invalid value for option '--type': unknown ggml type 'Q9_Z'");
        assertBadInput(run("codec", "quantize", "--type", "Q8_K", "--cols", "" + COLS, in, dir + "/o"),
                "no codec for ggml type Q8_K");
        assertBadInput(run("codec", "quantize", "--type", "Q8_0", "--cols", "100", in, dir + "/o"),
                "row length 100 is not a positive multiple of the block size 32");
    }

    @Test
    void refusesAMissingInputFile() {
        assertBadInput(run("codec", "dequantize", "--type", "Q8_0", "--cols", "32", dir + "/missing.bin", dir + "/o"),
                "no such file or directory: " + dir + "/missing.bin");
    }

    @Test
    void usageErrorsPointAtTheCommandsHelp() {
        assertBadInput(run("codec", "quantize", "--type", "Q8_0", "a", "b"),
                "Missing required option: '--cols=N'; see 'quantsweep codec quantize --help'");
        assertBadInput(run("codec"), "missing subcommand, one of: quantize, dequantize; see 'quantsweep codec --help'");
        assertBadInput(run(), "missing subcommand, one of: codec, gguf-info, generate-model, convert, plan, quantize, eval, report, demo; see 'quantsweep --help'");
    }

    @Test
    void helpAndVersionGoToStandardOutput() {
        Result help = run("codec", "quantize", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("Usage: quantsweep codec quantize"), help.out());
        for (GgmlType t : Codecs.supported()) {
            assertTrue(help.out().contains(t.name()), "--type lists " + t + ": " + help.out());
        }

        Result version = run("--version");
        assertEquals(0, version.status());
        assertTrue(version.out().matches("quantsweep \\d+\\.\\d+\\.\\d+\\S*\\R"), version.out());
    }

    @Test
    void everySubcommandPrintsTheVersion() {
        String version = run("--version").out();
        List<List<String>> paths = new ArrayList<>();
        subcommandPaths(new CommandLine(new QuantSweep()), List.of(), paths);
        assertTrue(paths.contains(List.of("codec", "quantize")), paths.toString());
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--version");
            assertEquals(new Result(0, version, ""), run(args.toArray(String[]::new)), String.join(" ", path));
        }
    }

    private static void subcommandPaths(CommandLine command, List<String> path, List<List<String>> paths) {
        command.getSubcommands().forEach((name, sub) -> {
            List<String> p = new ArrayList<>(path);
            p.add(name);
            paths.add(p);
            subcommandPaths(sub, p, paths);
        });
    }

    @Test
    void aBadSparkMasterIsBadInputBeforeASessionStarts() {
        assertBadInput(run("quantize", "--model", dir + "/model", "--variants", "Q8_0", "--out", dir + "/out",
                "--master", "bogus://x"), "--master bogus://x: Could not parse Master URL");
        for (String master : List.of("local", "local[2]", "local[*]", "local[2, 4]", "local-cluster[2,1,1024]",
                "spark://host:7077")) {
            assertEquals(master, LocalSession.requireMaster(master));
        }
        // Spark would refuse it only after starting, with a stack trace
        assertThrows(IllegalArgumentException.class, () -> LocalSession.requireMaster("local[0]"));
    }

    @Test
    void aDirectoryWhereAFileIsExpectedIsBadInputNamingIt() throws IOException {
        Path in = Golden.copy("c1_normal.f32", dir);
        Path sub = Files.createDirectory(dir.resolve("sub"));
        String expected = sub + ": is a directory, not a file";
        assertBadInput(run("codec", "quantize", "--type", "Q8_0", "--cols", "" + COLS, sub.toString(), dir + "/o"), expected);
        assertBadInput(run("codec", "quantize", "--type", "Q8_0", "--cols", "" + COLS, in.toString(), sub.toString()),
                expected);
        assertBadInput(run("gguf-info", sub.toString()), expected);
        assertBadInput(run("eval", "--sweep", sub.toString(), "--out", dir + "/eval"), expected);
        // the output is opened before the results are read: a missing --in is not reached
        assertBadInput(run("report", "--in", dir + "/missing", "--out", sub.toString()), "is a directory, not a file");
        assertEquals(List.of(in, sub), files());
        try (Stream<Path> s = Files.list(sub)) {
            assertEquals(0, s.count(), "no temporary file in the directory");
        }
    }

    @Test
    void demoRefusesAnOutputFolderThatIsAFile() throws IOException {
        Path file = Files.writeString(dir.resolve("demo.txt"), "x");
        assertBadInput(run("demo", "--out", file.toString()), "--out " + file + " is a file, not an output folder");
    }

    @Test
    void fileSystemFailuresNameTheirFileAndWhatWentWrong() {
        CommandLine cli = new CommandLine(new QuantSweep());
        StringWriter err = new StringWriter();
        assertEquals(QuantSweep.BAD_INPUT,
                QuantSweep.failure(new FileAlreadyExistsException("out/demo"), cli, new PrintWriter(err)));
        assertEquals("quantsweep: out/demo: already exists" + System.lineSeparator(), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(QuantSweep.IO_FAILURE,
                QuantSweep.failure(new FileSystemException("a", "b", "Device busy"), cli, new PrintWriter(err)));
        assertEquals("quantsweep: a -> b: Device busy" + System.lineSeparator(), err.toString());

        // how Hadoop's local file system passes on the JDK's refusal to create a file in a folder
        err.getBuffer().setLength(0);
        assertEquals(QuantSweep.IO_FAILURE, QuantSweep.failure(new FileNotFoundException("/sys/.r.html.0b1.tmp (Permission "
                + "denied)"), cli, new PrintWriter(err)));
        assertEquals("quantsweep: permission denied: /sys/.r.html.0b1.tmp" + System.lineSeparator(), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(QuantSweep.BAD_INPUT, QuantSweep.failure(new FileNotFoundException("File /m does not exist"), cli,
                new PrintWriter(err)));
    }

    @Test
    void otherFailuresMapToInputOutputAndInternalErrors() {
        CommandLine cli = new CommandLine(new QuantSweep());
        StringWriter err = new StringWriter();
        assertEquals(QuantSweep.IO_FAILURE, QuantSweep.failure(new IOException("disk full"), cli, new PrintWriter(err)));
        assertEquals("quantsweep: disk full" + System.lineSeparator(), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(QuantSweep.INTERNAL_ERROR,
                QuantSweep.failure(new IllegalStateException("a bug"), cli, new PrintWriter(err)));
        assertTrue(err.toString().contains("java.lang.IllegalStateException: a bug")
                && err.toString().contains("\tat "), err.toString());
    }

    @Test
    void onlyAYarnClusterDriverEndsWithoutSystemExit() {
        Properties p = new Properties();
        assertFalse(QuantSweep.yarnClusterDriver(p), "local");
        p.setProperty("spark.master", "yarn");
        p.setProperty("spark.submit.deployMode", "client");
        assertFalse(QuantSweep.yarnClusterDriver(p), "YARN client mode: the driver is this JVM");
        p.setProperty("spark.submit.deployMode", "cluster");
        assertTrue(QuantSweep.yarnClusterDriver(p));
    }
}
