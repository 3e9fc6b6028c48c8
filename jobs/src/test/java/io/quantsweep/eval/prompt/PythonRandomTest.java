package io.quantsweep.eval.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against CPython's own draws ({@code prompts/python-random.txt}, written by {@code python-random.py}
 * beside it).
 */
class PythonRandomTest {
    static List<String> reference(String kind) throws IOException {
        try (InputStream in = PythonRandomTest.class.getResourceAsStream("/prompts/python-random.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> l.startsWith(kind + " ")).map(l -> l.substring(kind.length() + 1)).toList();
        }
    }

    static int[] ints(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    @Test
    void wordsAreCPythonsForZeroNegativeAndMultiWordSeeds() throws IOException {
        List<String> lines = reference("words");
        assertEquals(8, lines.size());
        for (String line : lines) {
            String[] f = line.split(" ");
            PythonRandom r = new PythonRandom(Long.parseLong(f[0]));
            long[] words = new long[630];
            for (int i = 0; i < words.length; i++) {
                words[i] = Integer.toUnsignedLong(r.nextWord());
            }
            // the first five, and eight across the regeneration after word 624
            long[] expected = Arrays.stream(f).skip(1).mapToLong(Long::parseLong).toArray();
            long[] got = new long[13];
            System.arraycopy(words, 0, got, 0, 5);
            System.arraycopy(words, 622, got, 5, 8);
            assertArrayEquals(expected, got, "seed " + f[0]);
        }
    }

    @Test
    void samplesAreCPythonsOnBothSidesOfItsSmallPopulationThreshold() throws IOException {
        List<String> lines = reference("sample");
        assertEquals(9, lines.size());
        for (String line : lines) {
            String[] f = line.split(" ", 3);
            int n = Integer.parseInt(f[0]);
            int k = Integer.parseInt(f[1]);
            PythonRandom r = new PythonRandom(1234);
            for (String draw : f[2].split(" \\| ")) {
                assertArrayEquals(ints(draw), r.sample(n, k), "sample(range(" + n + "), " + k + ")");
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PythonRandom(0).sample(3, 4));
        assertEquals("sample of 4 from a population of 3", e.getMessage());
    }

    /** The vendored file is what the Python on this machine draws, whatever its version. */
    @Test
    void theReferenceIsWhatThisMachinesPythonDraws(@TempDir Path tmp) throws Exception {
        Path script = tmp.resolve("python-random.py");
        try (InputStream in = PythonRandomTest.class.getResourceAsStream("/prompts/python-random.py")) {
            Files.copy(in, script);
        }
        Process p;
        try {
            p = new ProcessBuilder("python3", script.toString()).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("out.txt").toFile()).start();
        } catch (IOException noPython) {
            assumeTrue(false, "no python3 on this machine");
            return;
        }
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 did not finish");
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("out.txt")));
        List<String> drawn = Files.readAllLines(tmp.resolve("out.txt"));
        try (InputStream in = PythonRandomTest.class.getResourceAsStream("/prompts/python-random.txt")) {
            List<String> vendored = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            // the first line names the Python that wrote it
            assertEquals(vendored.subList(1, vendored.size()), drawn.subList(1, drawn.size()), drawn.get(0));
        }
    }
}
