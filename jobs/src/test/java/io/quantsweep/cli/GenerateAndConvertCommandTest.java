package io.quantsweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.ModelMappingException;
import io.quantsweep.format.gguf.GgufReader;
import io.quantsweep.io.IsDirectoryException;
import io.quantsweep.quant.GgmlType;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** generate-model then convert from the command line, and the arguments they refuse. */
class GenerateAndConvertCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err, Exception failure) {
    }

    private static Run run(Callable<Integer> command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Exception[] failure = new Exception[1];
        CommandLine cmd = new CommandLine(command);
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        cmd.setExecutionExceptionHandler((e, c, p) -> {
            failure[0] = e;
            return 1;
        });
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString(), failure[0]);
    }

    @Test
    void generateThenConvert() throws IOException {
        Path model = dir.resolve("tiny");
        Run g = run(new GenerateModelCommand(), "--preset", "TINY", "--out", model.toString(), "--seed", "5");
        assertEquals(0, g.exit(), g.err());
        assertTrue(g.out().startsWith("wrote " + model + " (tiny preset, seed 5): 7 files, "), g.out());
        try (Stream<Path> files = Files.list(model)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".crc")), "no checksum side files");
        }

        Path gguf = dir.resolve("tiny-bf16.gguf");
        Run c = run(new ConvertCommand(), "--model", model.toString(), "--type", "bf16", "--out", gguf.toString());
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().startsWith("wrote " + gguf + ": 52 tensors (BF16, split MLA layout), "), c.out());
        try (GgufReader r = GgufReader.open(gguf)) {
            assertEquals(GgmlType.BF16, r.tensor("blk.2.ffn_up_exps.weight").type());
            assertEquals(GgmlType.F32, r.tensor("blk.2.ffn_gate_inp.weight").type());
            assertEquals(Files.size(gguf), r.header().fileSize());
        }
        Path legacy = dir.resolve("tiny-f32-legacy.gguf");
        Run l = run(new ConvertCommand(), "--model", model.toString(), "--type", "F32", "--out", legacy.toString(), "--mla", "legacy");
        assertEquals(0, l.exit(), l.err());
        assertTrue(l.out().contains("49 tensors (F32, legacy MLA layout)"), l.out());
    }

    @Test
    void anOutputThatIsADirectoryIsRefusedBeforeConverting() throws IOException {
        Path model = dir.resolve("tiny");
        assertEquals(0, run(new GenerateModelCommand(), "--preset", "TINY", "--out", model.toString()).exit());
        Path out = Files.createDirectory(dir.resolve("out.gguf"));
        Run c = run(new ConvertCommand(), "--model", model.toString(), "--type", "F32", "--out", out.toString());
        IsDirectoryException e = assertInstanceOf(IsDirectoryException.class, c.failure());
        assertEquals(out.toString(), e.getFile());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(0, files.count(), "no temporary file in the directory");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file beside it: " + dir);
        }
    }

    @Test
    void badArgumentsAreUsageErrors() {
        Run preset = run(new GenerateModelCommand(), "--preset", "huge", "--out", dir.toString());
        assertEquals(2, preset.exit());
        assertTrue(preset.err().contains("--preset must be tiny, small or bench, not 'huge'"), preset.err());
        Run type = run(new ConvertCommand(), "--model", dir.toString(), "--type", "Q4_K", "--out", dir.resolve("x.gguf").toString());
        assertEquals(2, type.exit());
        assertTrue(type.err().contains("--type must be F32, F16 or BF16, not 'Q4_K'"), type.err());
        Run mla = run(new ConvertCommand(), "--model", dir.toString(), "--type", "F32", "--out", "x.gguf", "--mla", "fused");
        assertEquals(2, mla.exit());
        assertTrue(mla.err().contains("--mla must be split or legacy"), mla.err());
        Path out = dir.resolve("with-missing-tokenizer");
        Run tokenizer = run(new GenerateModelCommand(), "--preset", "tiny", "--out", out.toString(),
                "--tokenizer", dir.resolve("no-such-tokenizer").toString());
        assertTrue(tokenizer.failure() instanceof FileNotFoundException, String.valueOf(tokenizer.failure()));
        assertFalse(Files.exists(out), "no empty output folder left behind");
    }

    @Test
    void anUnsupportedModelFailsNamingItsArchitecture() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"]}");
        Run r = run(new ConvertCommand(), "--model", dir.toString(), "--type", "F32", "--out", dir.resolve("x.gguf").toString());
        assertEquals(1, r.exit());
        ModelMappingException e = assertInstanceOf(ModelMappingException.class, r.failure());
        assertEquals(ModelMappingException.Reason.UNSUPPORTED_ARCHITECTURE, e.reason());
        assertTrue(e.getMessage().contains("'LlamaForCausalLM'"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("x.gguf")));
    }
}
