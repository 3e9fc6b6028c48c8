package io.quantsweep.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.arch.deepseek.DeepseekV3;
import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.gguf.GgufValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real DeepSeek-V3 tokenizer mapped to tokenizer.* metadata, plus the rules on small hand-made tokenizers. */
class HfTokenizerTest {
    private static GgufMetadata md;
    private static String chatTemplate;

    @BeforeAll
    static void mapRealTokenizer(@TempDir Path dir) throws IOException {
        RealModelFiles.modelDirectory(dir);
        HfTokenizer tok = HfTokenizer.read(RealModelFiles.fs(), RealModelFiles.hadoop(dir));
        assertEquals(128814, tok.maxTokenId());
        md = tok.metadata(DeepseekV3.TOKENIZER_PRE, 129280, RealModelFiles.config());
        chatTemplate = JsonFile.parse("tokenizer_config.json", RealModelFiles.resource("tokenizer_config.json"))
                .get("chat_template").textValue();
    }

    @Test
    void keysComeInTheConvertersOrder() {
        assertEquals(List.of("tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens", "tokenizer.ggml.token_type",
                "tokenizer.ggml.merges", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                "tokenizer.ggml.padding_token_id", "tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_eos_token",
                "tokenizer.chat_template"), md.keys());
        assertEquals("gpt2", md.get("tokenizer.ggml.model").orElseThrow().asString());
        assertEquals("deepseek-v3", md.get("tokenizer.ggml.pre").orElseThrow().asString());
    }

    @Test
    void tokensCoverTheWholeVocabularyWithPadFillers() {
        GgufValue.StrArray tokens = (GgufValue.StrArray) md.get("tokenizer.ggml.tokens").orElseThrow();
        assertEquals(129280, tokens.length());
        assertEquals("<｜begin▁of▁sentence｜>", tokens.get(0));
        assertEquals("<｜end▁of▁sentence｜>", tokens.get(1));
        assertEquals("<｜▁pad▁｜>", tokens.get(2));
        assertEquals("!", tokens.get(3));
        assertEquals("<｜User｜>", tokens.get(128803));
        assertEquals("<｜Assistant｜>", tokens.get(128804));
        assertEquals("<｜tool▁sep｜>", tokens.get(128814));
        assertEquals("[PAD128815]", tokens.get(128815));
        assertEquals("[PAD129279]", tokens.get(129279));
    }

    @Test
    void tokenTypesMarkAddedTokensControlAndFillersUnused() {
        GgufValue.NumArray types = (GgufValue.NumArray) md.get("tokenizer.ggml.token_type").orElseThrow();
        assertEquals(GgufValueType.INT32, types.elementType());
        assertEquals(129280, types.length());
        assertEquals(List.of(3L, 3L, 3L, 1L, 1L), List.of(types.getLong(0), types.getLong(1), types.getLong(2),
                types.getLong(3), types.getLong(4)));
        int[] counts = new int[6];
        for (int i = 0; i < types.length(); i++) {
            counts[(int) types.getLong(i)]++;
        }
        // 818 added tokens (3 in the BPE vocabulary too), all special or looking special; 465 ids without a token
        assertEquals(818, counts[HfTokenizer.CONTROL]);
        assertEquals(128000 - 3, counts[HfTokenizer.NORMAL]);
        assertEquals(129280 - 128815, counts[HfTokenizer.UNUSED]);
        assertEquals(0, counts[HfTokenizer.USER_DEFINED]);
        // <｜User｜> is not "special" in tokenizer.json, but looks special
        assertEquals(3L, types.getLong(128803));
    }

    @Test
    void mergesSpecialIdsFlagsAndTemplate() {
        GgufValue.StrArray merges = (GgufValue.StrArray) md.get("tokenizer.ggml.merges").orElseThrow();
        assertEquals(127741, merges.length());
        assertEquals(List.of("Ġ t", "Ġ a", "i n"), merges.values().subList(0, 3));
        assertEquals(GgufValue.u32(0), md.get("tokenizer.ggml.bos_token_id").orElseThrow());
        assertEquals(GgufValue.u32(1), md.get("tokenizer.ggml.eos_token_id").orElseThrow());
        assertEquals(GgufValue.u32(1), md.get("tokenizer.ggml.padding_token_id").orElseThrow());
        assertEquals(GgufValue.bool(true), md.get("tokenizer.ggml.add_bos_token").orElseThrow());
        assertEquals(GgufValue.bool(false), md.get("tokenizer.ggml.add_eos_token").orElseThrow());
        assertEquals(chatTemplate, md.get("tokenizer.chat_template").orElseThrow().asString());
        assertTrue(chatTemplate.startsWith("{% if not add_generation_prompt is defined %}"));
    }

    private static ObjectNode json(String s) {
        return JsonFile.parse("test", s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void userDefinedTokensPairMergesAndConfigIdsFollowGgufPy() {
        ObjectNode tokenizer = json("""
                {"added_tokens": [{"id": 4, "content": "<eot>", "special": true},
                                  {"id": 5, "content": "my\u2581word", "special": false}],
                 "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "a b": 3},
                           "merges": [["a", "b"], ["a ", "b"]]}}""");
        ObjectNode config = json("""
                {"eos_token": "<eot>", "add_eos_token": true}""");
        HfConfig model = HfConfig.parse("config.json", "{\"bos_token_id\": 2, \"eos_token_id\": 0}".getBytes(StandardCharsets.UTF_8));
        GgufMetadata m = HfTokenizer.of("t", tokenizer, config, Optional.of("{{ x }}")).metadata("gpt2", 8, model);
        assertEquals(List.of("a", "b", "ab", "a b", "<eot>", "my word", "[PAD6]", "[PAD7]"),
                ((GgufValue.StrArray) m.get("tokenizer.ggml.tokens").orElseThrow()).values());
        GgufValue.NumArray types = (GgufValue.NumArray) m.get("tokenizer.ggml.token_type").orElseThrow();
        assertEquals(List.of(1L, 1L, 1L, 1L, 3L, 4L, 5L, 5L), java.util.stream.IntStream.range(0, 8)
                .mapToObj(types::getLong).toList());
        assertEquals(List.of("a b", "aĠ b"), ((GgufValue.StrArray) m.get("tokenizer.ggml.merges").orElseThrow()).values());
        // eos from the tokenizer config wins over config.json; bos comes from config.json
        assertEquals(List.of("tokenizer.ggml.eos_token_id", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.add_eos_token"),
                m.keys().subList(5, 8));
        assertEquals(4, m.get("tokenizer.ggml.eos_token_id").orElseThrow().asLong());
        assertEquals(2, m.get("tokenizer.ggml.bos_token_id").orElseThrow().asLong());
        assertEquals("{{ x }}", m.get("tokenizer.chat_template").orElseThrow().asString());
    }

    @Test
    void aTokenIdPastVocabSizeIsRefused() {
        ObjectNode tokenizer = json("""
                {"model": {"type": "BPE", "vocab": {"a": 0, "b": 9}, "merges": []}}""");
        HfConfig model = HfConfig.parse("config.json", "{}".getBytes(StandardCharsets.UTF_8));
        ModelMappingException e = assertThrows(ModelMappingException.class,
                () -> HfTokenizer.of("t", tokenizer, json("{}"), Optional.empty()).metadata("gpt2", 8, model));
        assertEquals(ModelMappingException.Reason.BAD_VALUE, e.reason());
        assertTrue(e.getMessage().contains("token id 9 is not below vocab_size 8"), e.getMessage());
        assertThrows(ModelMappingException.class, () -> HfTokenizer.of("t", json("{\"model\": {\"type\": \"Unigram\"}}"),
                json("{}"), Optional.empty()));
    }
}
