package io.quantsweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The helper scripts of {@code scripts/} (all but {@code quantsweep}, which has its own help) answer
 * {@code --help} with their header comment, which names them as {@code scripts/NAME}, and do nothing else:
 * no folder, no build, no install. A wrong option is refused before any work starts.
 */
class ScriptHelpTest {
    private static final Path SCRIPTS = Path.of("..").toAbsolutePath().normalize().resolve("scripts");

    static Stream<String> scripts() throws IOException {
        try (Stream<Path> files = Files.list(SCRIPTS)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals("quantsweep")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("scripts")
    void helpPrintsTheUsageAndDoesNothingElse(String script, @TempDir Path work, @TempDir Path logs) throws Exception {
        Run run = run(work, logs, script, "--help");
        assertEquals(0, run.exit(), run.output());
        assertTrue(Pattern.compile("scripts/" + Pattern.quote(script) + "(?![\\w-])").matcher(run.output()).find(),
                "the help names scripts/" + script + ": " + run.output());
        assertEmpty(work);
        assertEquals(List.of(), run.called(), "scripts/" + script + " --help did work");
    }

    @Test
    void anUnknownOptionIsRefusedBeforeAnyWork(@TempDir Path work, @TempDir Path logs) throws Exception {
        Run run = run(work, logs, "bench-quantize", "--bogus");
        assertEquals(2, run.exit(), run.output());
        assertTrue(run.output().contains("--bogus"), run.output());
        assertTrue(run.output().contains("usage: scripts/bench-quantize"), run.output());
        assertEmpty(work);
        assertEquals(List.of(), run.called());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bench-eval", "bench-ggml-anchor", "crosscheck-llama-quantize", "gpu-check"})
    void aMissingArgumentIsRefusedWithTheUsage(String script, @TempDir Path work, @TempDir Path logs) throws Exception {
        Run run = run(work, logs, script);
        assertEquals(2, run.exit(), run.output());
        assertTrue(run.output().contains(script + ": missing argument") && run.output().contains("usage: scripts/" + script),
                run.output());
        assertEmpty(work);
        assertEquals(List.of(), run.called());
    }

    @Test
    void aMissingLlamaQuantizeIsNamedBeforeAnyModelIsGenerated(@TempDir Path work, @TempDir Path logs) throws Exception {
        Path bin = work.resolve("no-llama");
        Run run = run(work, logs, "crosscheck-llama-quantize", bin.toString(), work.resolve("crosscheck").toString());
        assertEquals(2, run.exit(), run.output());
        assertTrue(run.output().contains(bin.resolve("llama-quantize").toString()), run.output());
        assertEmpty(work);
        assertEquals(List.of(), run.called());
    }

    private static void assertEmpty(Path work) throws IOException {
        try (Stream<Path> left = Files.list(work)) {
            List<Path> files = left.toList();
            assertTrue(files.isEmpty(), "the script wrote into its working directory: " + files);
        }
    }

    /** @param called the tools of real work the script called (builds, installs, a JVM, Python), in order */
    private record Run(int exit, String output, List<String> called) {
    }

    /** What the scripts do their work with; each is replaced by a stub that notes the call and fails. */
    private static final List<String> TOOLS = List.of("mvn", "java", "python3", "pip", "pip3", "apt-get", "sudo", "g++",
            "nvcc", "cmake", "make", "npm", "npx", "chromium", "curl", "wget");

    /**
     * bash SCRIPT ARGS in WORK, its output (stdout and stderr) kept in LOGS, not in WORK, with {@link #TOOLS}
     * stubbed on the PATH: the scripts work in the repository and /tmp, not only where they are run, so
     * an empty WORK alone would not show that they did nothing.
     */
    private static Run run(Path work, Path logs, String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPTS.resolve(script).toString()));
        command.addAll(List.of(args));
        Path log = logs.resolve("output.txt");
        Path stubs = Files.createDirectories(logs.resolve("stubs"));
        Path called = logs.resolve("called.txt");
        for (String tool : TOOLS) {
            Path stub = stubs.resolve(tool);
            Files.writeString(stub, "#!/bin/sh\necho " + tool + " >> '" + called + "'\nexit 1\n");
            assertTrue(stub.toFile().setExecutable(true));
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("PATH", stubs + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        Process p = pb.start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
            throw new AssertionError("scripts/" + script + " " + String.join(" ", args) + " ran for 20 s: "
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8),
                Files.exists(called) ? Files.readAllLines(called) : List.of());
    }
}
