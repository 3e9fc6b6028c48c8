package io.quantsweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufPlan;
import io.quantsweep.format.gguf.GgufTensorSpec;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.gguf.GgufWriter;
import io.quantsweep.format.gguf.TensorData;
import io.quantsweep.quant.GgmlType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** gguf-info on a real llama-quantize output, as text and as JSON, and on a refused file. */
class GgufInfoCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new GgufInfoCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static String sample(String name) throws URISyntaxException {
        return Path.of(GgufInfoCommandTest.class.getResource("/gguf-samples/" + name).toURI()).toString();
    }

    @Test
    void textShowsKvsWithAbbreviatedArraysAndTheTensorTable() throws Exception {
        Run r = run(sample("tiny-llama-256x2-Q3_K_M.gguf"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("GGUF v3, 23 KVs, 21 tensors, alignment 32, data section at byte 23392, file 932192 bytes"), r.out());
        assertTrue(r.out().matches("(?s).*general\\.architecture\\s+STRING\\s+llama\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*tokenizer\\.ggml\\.tokens\\s+ARRAY\\s+STRING\\[1024] \\[\"<unk>\", \"<s>\", \"</s>\", \\.\\.\\.]\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*tokenizer\\.ggml\\.scores\\s+ARRAY\\s+FLOAT32\\[1024] \\[0\\.0, 0\\.0, 0\\.0, \\.\\.\\.]\\n.*"), r.out());
        // the first tensor starts the data section; bytes of a Q6_K [256, 1024] tensor
        assertTrue(r.out().matches("(?s).*\\n\\s+0\\s+output\\.weight\\s+Q6_K\\s+\\[256, 1024]\\s+23392\\s+215040\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+20\\s+blk\\.1\\.ffn_up\\.weight\\s+Q3_K\\s+\\[256, 512]\\s+\\d+\\s+56320\\n.*"), r.out());
    }

    @Test
    void jsonCarriesTheSameFactsForMachines() throws Exception {
        Run r = run("--json", "--array-items", "2", sample("tiny-llama-256x2-Q3_K_M.gguf"));
        assertEquals(0, r.exit(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals(3, root.get("version").asInt());
        assertEquals(23392, root.get("dataOffset").asLong());
        assertEquals(932192, root.get("fileSize").asLong());
        JsonNode md = root.get("metadata");
        assertEquals(23, md.size());
        assertEquals("llama", md.get(0).get("value").asText());
        JsonNode tokens = md.get(13);
        assertEquals("tokenizer.ggml.tokens", tokens.get("key").asText());
        assertEquals("STRING", tokens.get("elementType").asText());
        assertEquals(1024, tokens.get("length").asInt());
        assertEquals("[\"<unk>\",\"<s>\"]", tokens.get("first").toString());
        assertEquals(12, md.get(22).get("value").asInt());
        JsonNode t0 = root.get("tensors").get(0);
        assertEquals("output.weight", t0.get("name").asText());
        assertEquals("Q6_K", t0.get("type").asText());
        assertEquals("[256,1024]", t0.get("shape").toString());
        assertEquals(23392, t0.get("offset").asLong());
        assertEquals(0, t0.get("dataOffset").asLong());
        assertEquals(215040, t0.get("bytes").asLong());
        assertEquals(21, root.get("tensors").size());
    }

    /**
     * A hostile file's keys, strings and tensor names reach the terminal escaped: an ESC sequence could
     * otherwise recolour, clear or retitle it, and NUL, DEL, C1 controls (CSI is U+009B), U+2028 and
     * bidirectional overrides could hide or reorder what gguf-info shows.
     */
    @Test
    void controlCharactersInKeysValuesAndTensorNamesAreEscaped() throws Exception {
        String hostile = "a\u001b[2J\u0007b\u0000c\u007fd\u009b31me\u2028f\u2029g\u202eh\\i\nj";
        GgufMetadata md = new GgufMetadata()
                .put("general.architecture", GgufValue.string("llama"))
                .put("evil.value", GgufValue.string(hostile))
                .put("evil.key\u001b[8m", GgufValue.string("hidden"))
                .put("evil.array", GgufValue.stringArray(List.of("x\u001by", "\u0085")));
        Path file = dir.resolve("hostile.gguf");
        GgufWriter.write(file, GgufPlan.of(md, List.of(GgufTensorSpec.of("blk.0\u001b[1A.weight", GgmlType.F32, 4))),
                t -> TensorData.of(new byte[16]));

        Run r = run(file.toString());
        assertEquals(0, r.exit(), r.err());
        for (char ch : r.out().toCharArray()) {
            boolean control = ch < 0x20 && ch != '\n' || ch >= 0x7f && ch <= 0x9f || ch == '\u2028' || ch == '\u2029'
                    || ch == '\u202e';
            assertTrue(!control, "U+%04X reached the output:%n%s".formatted((int) ch, r.out()));
        }
        String escaped = "a\\u001b[2J\\u0007b\\u0000c\\u007fd\\u009b31me\\u2028f\\u2029g\\u202eh\\\\i\\nj";
        assertTrue(r.out().matches("(?s).*\\nevil\\.value\\s+STRING\\s+" + java.util.regex.Pattern.quote(escaped) + "\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\nevil\\.key\\\\u001b\\[8m\\s+STRING\\s+hidden\\n.*"), r.out());
        assertTrue(r.out().contains("[\"x\\u001by\", \"\\u0085\"]"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+0\\s+" + java.util.regex.Pattern.quote("blk.0\\u001b[1A.weight") + "\\s+F32\\s.*"), r.out());

        // --json keeps the values as they are, for programs: JSON escapes what it must
        JsonNode root = new ObjectMapper().readTree(run("--json", file.toString()).out());
        assertEquals(hostile, root.get("metadata").get(1).get("value").asText());
        assertEquals("blk.0\u001b[1A.weight", root.get("tensors").get(0).get("name").asText());
    }

    @Test
    void aRefusedFileFailsTheCommandWithTheReason() throws IOException {
        Path bad = Files.write(dir.resolve("bad.gguf"), new byte[] {'G', 'G', 'U', 'X', 3, 0, 0, 0});
        Run r = run(bad.toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("BAD_MAGIC"), r.err());
        assertEquals("", r.out());
    }
}
