package io.quantsweep.cli;

import static io.quantsweep.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsweep.cli.CliRun.Result;
import io.quantsweep.format.imatrix.ImatrixData;
import io.quantsweep.format.imatrix.ImatrixFiles;
import io.quantsweep.format.imatrix.ImatrixFormat;
import io.quantsweep.spark.LocalSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code plan} on the shipped DeepSeek-V3 671B config: text, JSON shape, Parquet read back with Spark, refusals. */
@ExtendWith(LocalSpark.class)
class PlanCommandTest {
    private static final String MODEL = Path.of("..", "conf", "models", "deepseek-v3-671b").toString();

    @TempDir
    Path dir;

    @Test
    void jsonHasOneEntryPerVariantWithItsTensorRows() throws Exception {
        Result r = run("plan", "--model", MODEL, "--variants", "Q4_K_M,DQ3_K_M", "--json", "--target", "4xH200=4x141");
        assertEquals(0, r.status(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals("deepseek-v3-671b", root.get("model").asText());
        assertEquals(671_026_419_200L, root.get("parameters").asLong());
        assertFalse(root.get("header_exact").asBoolean());
        assertEquals(32_768, root.get("context").asLong());
        assertEquals(2_302_672_896L, root.get("kv_cache").get("mla_bytes").asLong());
        assertEquals(163_745_628_160L, root.get("kv_cache").get("full_bytes").asLong());
        JsonNode variants = root.get("variants");
        assertEquals(2, variants.size());

        JsonNode q4 = variants.get(0);
        assertEquals("Q4_K_M", q4.get("name").asText());
        assertEquals(15, q4.get("file_type").asInt());
        assertEquals(404_488_847_360L, q4.get("tensor_bytes").asLong());
        assertEquals(404_494_155_296L, q4.get("file_bytes").asLong());
        assertEquals(4.822, q4.get("bpw").asDouble(), 0.0005);
        assertEquals(58, q4.get("histogram").get("Q6_K").asInt());
        assertEquals("deepseek-v3-671b-Q4_K_M.gguf", q4.get("files").get(0).get("name").asText());
        JsonNode fits = q4.get("fits");
        assertEquals(8, fits.size()); // 4 targets × 2 caches
        assertEquals("4xH200", fits.get(6).get("target").asText());
        assertEquals("mla", fits.get(6).get("cache").asText());
        assertTrue(fits.get(6).get("kept").asBoolean(), "a split file's cache");
        assertFalse(fits.get(7).get("kept").asBoolean());
        assertTrue(fits.get(6).get("fits").asBoolean());
        // ceil((404,494,155,296 + 163,745,628,160) / 4) + 4.5 GiB = 146,891,784,072 bytes = 136.8 GiB <= 141 GiB
        assertEquals(146_891_784_072L, fits.get(7).get("per_device_bytes").asLong());
        assertTrue(fits.get(7).get("fits").asBoolean());
        assertFalse(fits.get(5).get("fits").asBoolean()); // 910B, full cache: 70.65 GiB > 64

        JsonNode tensors = q4.get("tensors");
        assertEquals(1086, tensors.size());
        long sum = 0;
        for (JsonNode t : tensors) {
            sum += t.get("bytes").asLong();
        }
        assertEquals(404_488_847_360L, sum);
        JsonNode kB = tensors.get(3);
        assertEquals("blk.0.attn_k_b.weight", kB.get("name").asText());
        assertEquals(List.of(128L, 512L, 128L), List.of(kB.get("shape").get(0).asLong(), kB.get("shape").get(1).asLong(),
                kB.get("shape").get(2).asLong()));
        assertEquals("Q5_0", kB.get("type").asText());
        assertEquals("Q4_K", kB.get("chosen_type").asText());
        assertEquals(5_767_168L, kB.get("bytes").asLong());

        JsonNode dq3 = variants.get(1);
        assertEquals("DQ3_K_M", dq3.get("name").asText());
        assertEquals(12, dq3.get("file_type").asInt());
        assertEquals(301_446_681_088L, dq3.get("tensor_bytes").asLong());
    }

    @Test
    void parquetHoldsTheTensorTable(SparkSession spark) throws Exception {
        Path out = dir.resolve("plan");
        Result r = run("plan", "--model", MODEL, "--variants", "Q2_K_L,Q3_K_M", "--no-tensors", "--out", out.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("wrote "), r.out());
        try (var files = Files.list(out)) {
            assertEquals(List.of("tensors.parquet"), files.map(p -> p.getFileName().toString()).toList());
        }
        Dataset<Row> rows = spark.read().parquet(out.resolve("tensors.parquet").toString());
        assertEquals(2 * 1086, rows.count());
        List<Row> totals = rows.groupBy("variant", "file_type").sum("bytes").orderBy("variant").collectAsList();
        assertEquals("Q2_K_L", totals.get(0).getString(0));
        assertEquals(10, totals.get(0).getInt(1));
        assertEquals(245_047_931_904L, totals.get(0).getLong(2));
        assertEquals("Q3_K_M", totals.get(1).getString(0));
        assertEquals(319_261_053_440L, totals.get(1).getLong(2));
        Row down = rows.where("variant = 'Q3_K_M' AND name = 'blk.1.ffn_down.weight'").first();
        assertEquals("Q5_K", down.getAs("type"));
        assertEquals(1, (int) down.getAs("layer"));
        assertEquals(List.of(18432L, 7168L), down.getList(down.fieldIndex("shape")));
        assertEquals("BASE", down.getAs("decision"));
        assertEquals("deepseek-v3-671b-Q3_K_M.gguf", down.getAs("file"));
        Row first = rows.where("variant = 'Q2_K_L' AND position = 0").first();
        assertEquals("output.weight", first.getAs("name"));
        assertEquals("Q8_0", first.getAs("type"));
        assertEquals("OUTPUT_OVERRIDE", first.getAs("decision"));
    }

    @Test
    void theImatrixQuantizeWillBeGivenDecidesTheFileTypesThatDependOnIt() throws Exception {
        Path imatrix = imatrix("v3.imatrix.gguf", "blk.0.attn_q_a.weight", 7168);
        JsonNode without = new ObjectMapper().readTree(run("plan", "--model", MODEL, "--variants", "IQ4_XS,Q4_0", "--json").out());
        Result r = run("plan", "--model", MODEL, "--variants", "IQ4_XS,Q4_0", "--json", "--imatrix", imatrix.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode with = new ObjectMapper().readTree(r.out());
        // ffn_down of layers 0-6 (11 tensors): Q5_K for IQ4_XS only without a matrix, Q4_1 for Q4_0 only with one
        assertEquals(11, without.get("variants").get(0).get("histogram").path("Q5_K").asInt());
        assertTrue(with.get("variants").get(0).get("histogram").path("Q5_K").isMissingNode(), with.toString());
        assertTrue(without.get("variants").get(1).get("histogram").path("Q4_1").isMissingNode());
        assertEquals(11, with.get("variants").get(1).get("histogram").path("Q4_1").asInt());
    }

    @Test
    void theImatrixIsCheckedAsQuantizeChecksIt() throws Exception {
        Path imatrix = imatrix("v3.imatrix.gguf", "blk.0.attn_q_a.weight", 7168);
        Result r = run("plan", "--model", MODEL, "--variants", "Q4_K_M", "--no-tensors", "--imatrix", imatrix.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("imatrix " + imatrix + ": 1 tensors quantized with weights (unit weights for 0 of "
                + "their matrices, which the calibration never reached), "), r.out());

        Path wrong = imatrix("short.imatrix.gguf", "blk.0.attn_q_a.weight", 100);
        Result refused = run("plan", "--model", MODEL, "--variants", "Q4_K_M", "--no-tensors", "--imatrix", wrong.toString());
        assertEquals(QuantSweep.BAD_INPUT, refused.status(), refused.out());
        assertTrue(refused.err().contains("blk.0.attn_q_a.weight") && refused.err().contains("100 values, but the tensor needs "
                + "ne0 × ne2 = 7168 × 1 = 7168"), refused.err());

        Path foreign = imatrix("other.imatrix.gguf", "blk.99.foo.weight", 4);
        Result other = run("plan", "--model", MODEL, "--variants", "Q4_K_M", "--json", "--imatrix", foreign.toString());
        assertEquals(QuantSweep.BAD_INPUT, other.status(), other.out());
        assertTrue(other.err().startsWith("quantsweep: " + foreign + ": none of its entries names a tensor this run quantizes"),
                other.err());
    }

    private Path imatrix(String name, String entry, int values) throws IOException {
        Path file = dir.resolve(name);
        ImatrixFiles.write(file, new ImatrixData(List.of("calibration.txt"), 10, 512,
                List.of(new ImatrixData.Entry(entry, new float[values], new float[] {1}))), ImatrixFormat.GGUF);
        return file;
    }

    @Test
    void textShowsTablesSizesAndFits() {
        Result r = run("plan", "--model", MODEL + "/config.json", "--variants", "Q4_K_M", "--split-max-size", "50G");
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        assertTrue(out.contains("header: estimated: no tokenizer.json, tokenizer KVs taken as 5,235,840 bytes"), out);
        assertTrue(out.contains("KV cache at 32,768 tokens, f16: MLA 2.14 GiB (576 values per token and layer), full 152.50 GiB (40960)"), out);
        assertTrue(out.matches("(?s).*\\n\\s+3\\s+blk\\.0\\.attn_k_b\\.weight\\s+\\[128, 512, 128]\\s+Q5_0\\s+5,767,168\\s+Q4_K_M \\(Q4_K, row fallback\\)\\n.*"), out);
        assertTrue(out.contains("tensor data 404,488,847,360 bytes (376.71 GiB)"), out);
        assertTrue(out.contains("files: deepseek-v3-671b-Q4_K_M-00001-of-00009.gguf, "), out);
        // a split file: llama.cpp keeps the MLA cache, so Q4_K_M fits the 910B; the full cache's figure is a reference
        assertTrue(out.matches("(?s).*\\nQ4_K_M\\s+376\\.71 GiB\\s+4\\.822\\s+51\\.9 / \\(70\\.7\\)\\s+51\\.9 / \\(70\\.7\\)\\s+51\\.9 / \\(70\\.7\\)\\n.*"), out);
        assertTrue(out.contains("8xAscend910B-64GB        FULL cache 152.50 GiB  per device 70.65 GiB of 64 GiB  (not the cache of a split file)"), out);
        assertTrue(out.contains("8xH100-80GB              MLA  cache  2.14 GiB  per device 51.86 GiB of 79.65 GiB  fits"), out);

        String legacy = run("plan", "--model", MODEL, "--variants", "Q4_K_M", "--no-tensors", "--mla", "legacy").out();
        assertTrue(legacy.matches("(?s).*\\nQ4_K_M\\s+\\S+ GiB\\s+\\S+\\s+\\(51\\.\\d\\) / 70\\.\\d\\s+\\(51\\.\\d\\) / 70\\.\\d\\s+\\(51\\.\\d\\) / 70\\.\\d!\\n.*"), legacy);
    }

    @Test
    void aRuleThatDecidesNoTensorIsNamedInTextAndJson() throws Exception {
        Path recipe = Files.writeString(dir.resolve("typo.yaml"), """
                base: Q3_K_M
                rules:
                  - tensor: 'ffn_down_exp\\.weight$'
                    type: Q6_K
                """);
        Result text = run("plan", "--model", MODEL, "--variants", recipe.toString(), "--no-tensors");
        assertEquals(0, text.status(), text.err());
        assertTrue(text.out().contains("warning: rules that decide no tensor of this model: " + recipe + ":3"), text.out());
        Result json = run("plan", "--model", MODEL, "--variants", recipe + ",Q4_K_M", "--json");
        JsonNode variants = new ObjectMapper().readTree(json.out()).get("variants");
        assertEquals(recipe + ":3", variants.get(0).get("idle_rules").get(0).asText());
        assertEquals(0, variants.get(1).get("idle_rules").size());
    }

    @Test
    void optionsAfterAnArgumentFileReplaceItsOnes() throws Exception {
        Path args = Files.writeString(dir.resolve("plan.args"), """
                # a picocli argument file
                --model      %s
                --variants   Q4_K_M
                --context    1000
                --no-tensors
                """.formatted(MODEL));
        Result r = run("plan", "@" + args, "--context", "32768");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("KV cache at 32,768 tokens"), r.out());
    }

    @Test
    void badInputEndsWithAOneLineReason() {
        Result unknown = run("plan", "--model", MODEL, "--variants", "Q9_K");
        assertEquals(QuantSweep.BAD_INPUT, unknown.status());
        assertTrue(unknown.err().startsWith("quantsweep: ") && unknown.err().contains("unknown variant"), unknown.err());

        Result both = run("plan", "--model", MODEL, "--variants", "Q4_K_M", "--split-max-tensors", "64", "--split-max-size", "5G");
        assertEquals(QuantSweep.BAD_INPUT, both.status());
        assertTrue(both.err().contains("cannot be combined"), both.err());

        Result target = run("plan", "--model", MODEL, "--variants", "Q4_K_M", "--target", "H100");
        assertEquals(QuantSweep.BAD_INPUT, target.status());
        assertTrue(target.err().contains("is not NAME=COUNTxGIB"), target.err());

        Result missing = run("plan", "--model", dir.toString(), "--variants", "Q4_K_M");
        assertEquals(QuantSweep.BAD_INPUT, missing.status(), missing.err());
        assertTrue(missing.err().contains("config.json"), missing.err());

        // as quantize refuses it
        Result none = run("plan", "--model", MODEL, "--variants", ",");
        assertEquals(new Result(QuantSweep.BAD_INPUT, "", "quantsweep: no variants to plan\n"), none);

        Result targets = run("plan", "--model", MODEL, "--variants", "Q4_K_M", "--targets", dir.toString());
        assertEquals(new Result(QuantSweep.BAD_INPUT, "", "quantsweep: " + dir + ": is a directory, not a file\n"), targets);
    }

    @Test
    void anOutputFolderThatIsAFileIsRefusedBeforePlanning() throws Exception {
        Path file = Files.writeString(dir.resolve("plan.txt"), "x");
        Result r = run("plan", "--model", MODEL, "--variants", "Q4_K_M", "--out", file.toString());
        assertEquals(new Result(QuantSweep.BAD_INPUT, "", "quantsweep: --out " + file + " is a file, not an output folder\n"), r);
        assertEquals("x", Files.readString(file));
    }
}
