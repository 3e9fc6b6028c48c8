package io.quantsweep.cli;

import static io.quantsweep.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.cli.CliRun.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs read by position that are not regular files are refused by name before anything opens them:
 * opening a FIFO blocks until something writes to it (so the command hung), and a pipe such as
 * {@code <(cat f.gguf)} has no size (so the GGUF reader called it truncated). A separate thread for the
 * timeout, as a thread blocked opening a FIFO does not answer an interrupt.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
class NonRegularInputTest {
    private static final String MODEL = Path.of("..", "conf", "models", "deepseek-v3-671b").toString();

    @TempDir
    Path dir;
    Path fifo;

    @BeforeEach
    void makeFifo() throws IOException, InterruptedException {
        fifo = dir.resolve("input.fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "mkfifo: " + output);
        assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), fifo + " is not a FIFO");
    }

    private static void assertRefused(Result r, String file, String reader) {
        assertEquals(QuantSweep.BAD_INPUT, r.status(), r.err());
        assertEquals("quantsweep: " + file + " is not a regular file (a pipe, FIFO, socket or device): " + reader
                + " needs a file it can seek in; copy it to a file first\n", r.err().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void ggufInfoRefusesAFifoAndADevice() {
        assertRefused(run("gguf-info", fifo.toString()), fifo.toString(), "the GGUF reader");
        // a character device: the same refusal, where the reader said "magic needs 4 bytes but only 0 remain"
        assertRefused(run("gguf-info", "/dev/null"), "/dev/null", "the GGUF reader");
        // a link to a FIFO is followed, as the /dev/fd/N of <(cat f.gguf) is a link to a pipe
        Path link = dir.resolve("link.gguf");
        try {
            Files.createSymbolicLink(link, fifo);
        } catch (IOException e) {
            throw new AssertionError("cannot make a symbolic link in " + dir, e);
        }
        assertRefused(run("gguf-info", link.toString()), link.toString(), "the GGUF reader");
    }

    @Test
    void ggufInfoStillNamesAMissingFileAndADirectory() {
        Result missing = run("gguf-info", dir.resolve("absent.gguf").toString());
        assertEquals(QuantSweep.BAD_INPUT, missing.status(), missing.err());
        assertTrue(missing.err().contains("no such file or directory: " + dir.resolve("absent.gguf")), missing.err());
        Result folder = run("gguf-info", dir.toString());
        assertEquals(QuantSweep.BAD_INPUT, folder.status(), folder.err());
        assertTrue(folder.err().contains(dir + ": is a directory, not a file"), folder.err());
    }

    @Test
    void planRefusesAFifoImatrix() {
        Result r = run("plan", "--model", MODEL, "--variants", "Q4_K_M", "--no-tensors", "--imatrix", fifo.toString());
        assertRefused(r, fifo.toString(), "the imatrix reader");
        assertEquals("", r.out());
    }

    @Test
    void planRefusesAFifoImatrixGivenAsAFileUri() {
        String uri = fifo.toUri().toString();
        Result r = run("plan", "--model", MODEL, "--variants", "Q4_K_M", "--no-tensors", "--imatrix", uri);
        assertEquals(QuantSweep.BAD_INPUT, r.status(), r.err());
        assertTrue(r.err().contains(" is not a regular file (a pipe, FIFO, socket or device): the imatrix reader"), r.err());
    }

    @Test
    void codecRefusesAFifoAsRowsOrImportance() throws IOException {
        Path rows = Files.write(dir.resolve("rows.f32"), new byte[4 * 32]);
        Path out = dir.resolve("out.bin");
        assertRefused(run("codec", "quantize", "--type", "Q8_0", "--cols", "32", fifo.toString(), out.toString()),
                fifo.toString(), "the raw row reader");
        assertRefused(run("codec", "quantize", "--type", "Q8_0", "--cols", "32", "--imatrix", fifo.toString(),
                rows.toString(), out.toString()), fifo.toString(), "the importance reader");
        assertRefused(run("codec", "dequantize", "--type", "Q8_0", "--cols", "32", fifo.toString(), out.toString()),
                fifo.toString(), "the raw row reader");
        assertTrue(Files.notExists(out), "nothing is written");
    }

    @Test
    void quantizeRefusesAFifoImatrixBeforeItStarts() {
        Path out = dir.resolve("out");
        Result r = run("quantize", "--model", MODEL, "--variants", "Q8_0", "--out", out.toString(), "--device", "cpu",
                "--imatrix", fifo.toString());
        assertRefused(r, fifo.toString(), "the imatrix reader");
        assertTrue(Files.notExists(out), "nothing is written");
    }
}
