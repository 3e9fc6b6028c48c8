package io.quantsweep.arch.deepseek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.arch.Architectures;
import io.quantsweep.arch.HfConfig;
import io.quantsweep.arch.JsonFile;
import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.ModelMappingException;
import io.quantsweep.arch.ModelMappingException.Reason;
import io.quantsweep.arch.RealModelFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Configs the mapping refuses, each with the reason and a message naming the key. */
class DeepseekV3ConfigErrorsTest {

    private static ModelMappingException refuse(Consumer<ObjectNode> edit) throws IOException {
        ObjectNode json = RealModelFiles.config().json();
        edit.accept(json);
        HfConfig c = HfConfig.of("config.json", json);
        return assertThrows(ModelMappingException.class, () -> Architectures.of(c).map(c, MlaLayout.SPLIT));
    }

    @Test
    void unsupportedArchitectureIsNamed() throws IOException {
        ModelMappingException e = refuse(j -> j.putArray("architectures").add("DeepseekV2ForCausalLM"));
        assertEquals(Reason.UNSUPPORTED_ARCHITECTURE, e.reason());
        assertTrue(e.getMessage().contains("'DeepseekV2ForCausalLM' is not supported"), e.getMessage());
        assertTrue(e.getMessage().contains("DeepseekV3ForCausalLM"), e.getMessage());
    }

    @Test
    void missingArchitecturesIsAMissingKey() throws IOException {
        ModelMappingException e = refuse(j -> j.remove("architectures"));
        assertEquals(Reason.MISSING_KEY, e.reason());
        assertTrue(e.getMessage().contains("'architectures' is missing"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"vocab_size", "hidden_size", "kv_lora_rank", "q_lora_rank", "n_group", "topk_group",
        "scoring_func", "routed_scaling_factor", "first_k_dense_replace", "rms_norm_eps", "max_position_embeddings"})
    void everyRequiredKeyIsNamedWhenMissing(String key) throws IOException {
        ModelMappingException e = refuse(j -> j.remove(key));
        assertEquals(Reason.MISSING_KEY, e.reason());
        assertTrue(e.getMessage().contains("config.json: key '" + key + "' is missing"), e.getMessage());
    }

    @Test
    void nullCountsAsMissingAndNestedKeysAreNamedWithTheirPath() throws IOException {
        ModelMappingException nullRank = refuse(j -> j.putNull("q_lora_rank"));
        assertEquals(Reason.MISSING_KEY, nullRank.reason());
        assertTrue(nullRank.getMessage().contains("'q_lora_rank' is null"), nullRank.getMessage());
        ModelMappingException nested = refuse(j -> ((ObjectNode) j.get("rope_scaling")).remove("mscale_all_dim"));
        assertTrue(nested.getMessage().contains("'rope_scaling.mscale_all_dim' is missing"), nested.getMessage());
    }

    @Test
    void valuesTheMappingCannotUseAreBadValues() throws IOException {
        assertBad(j -> j.put("scoring_func", "relu"), "scoring_func");
        assertBad(j -> j.put("n_group", 7), "n_group");
        assertBad(j -> j.put("n_group", 256).put("topk_group", 4), "n_group");
        assertBad(j -> j.put("num_key_value_heads", 1), "num_key_value_heads");
        assertBad(j -> j.put("moe_layer_freq", 2), "moe_layer_freq");
        assertBad(j -> j.put("hidden_size", "7168"), "hidden_size");
        assertBad(j -> ((ObjectNode) j.get("rope_scaling")).put("type", "linear"), "rope_scaling.type");
        assertBad(j -> ((ObjectNode) j.get("quantization_config")).put("quant_method", "gptq"), "quantization_config.quant_method");
    }

    /**
     * Counts that size the tensor map's per-layer, per-head and per-expert lists are bounded when the
     * config is read: num_hidden_layers 2147483647 once spent minutes filling the heap in
     * DeepseekV3.tensors. Read with {@code from} alone, so that without the bound the test fails at
     * once instead of building the map.
     */
    @ParameterizedTest
    @ValueSource(strings = {"num_hidden_layers:4096", "num_nextn_predict_layers:4096", "num_attention_heads:4096",
        "n_routed_experts:65536"})
    void countsThatSizeTheTensorMapHaveASanityBound(String keyAndBound) throws IOException {
        String key = keyAndBound.split(":")[0];
        int bound = Integer.parseInt(keyAndBound.split(":")[1]);
        for (int value : new int[] {bound + 1, Integer.MAX_VALUE}) {
            ObjectNode json = RealModelFiles.config().json();
            json.put(key, value);
            if (key.equals("num_attention_heads")) {
                json.put("num_key_value_heads", value);
            }
            HfConfig c = HfConfig.of("config.json", json);
            ModelMappingException e = assertThrows(ModelMappingException.class, () -> DeepseekV3Config.from(c));
            assertEquals(Reason.BAD_VALUE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().startsWith("config.json: key '" + key + "' is " + value
                    + ", more than the sanity bound " + bound + " "), e.getMessage());
        }
        ObjectNode atBound = RealModelFiles.config().json();
        atBound.put(key, bound);
        if (key.equals("num_attention_heads")) {
            atBound.put("num_key_value_heads", bound);
        }
        DeepseekV3Config.from(HfConfig.of("config.json", atBound));
    }

    @Test
    void aConfigThatIsNotUtf8IsAMalformedFile() {
        // a JSON parser given bytes would take UTF-16 for what it is, and read this config
        byte[] utf16 = "{\"architectures\": [\"DeepseekV3ForCausalLM\"]}".getBytes(StandardCharsets.UTF_16LE);
        ModelMappingException e = assertThrows(ModelMappingException.class, () -> JsonFile.parse("config.json", utf16));
        assertEquals(Reason.MALFORMED_FILE, e.reason());
        assertTrue(e.getMessage().startsWith("config.json: "), e.getMessage());
        byte[] latin1 = "{\"model_type\": \"déepseek\"}".getBytes(StandardCharsets.ISO_8859_1);
        ModelMappingException l = assertThrows(ModelMappingException.class, () -> JsonFile.parse("config.json", latin1));
        assertEquals(Reason.MALFORMED_FILE, l.reason());
        assertEquals("config.json: not UTF-8", l.getMessage().substring(0, "config.json: not UTF-8".length()), l.getMessage());
    }

    @Test
    void optionalKeysHaveTheirDefaults() throws IOException {
        ObjectNode json = RealModelFiles.config().json();
        json.remove("num_nextn_predict_layers");
        json.remove("tie_word_embeddings");
        json.remove("moe_layer_freq");
        json.remove("rope_scaling");
        DeepseekV3Config c = DeepseekV3Config.from(HfConfig.of("config.json", json));
        assertEquals(0, c.numNextnPredictLayers());
        assertTrue(c.ropeScaling().isEmpty());
        assertTrue(DeepseekV3.metadata(c, MlaLayout.SPLIT).keys().stream().noneMatch(k -> k.contains("rope.scaling")));
    }

    private static void assertBad(Consumer<ObjectNode> edit, String key) throws IOException {
        ModelMappingException e = refuse(edit);
        assertEquals(Reason.BAD_VALUE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("key '" + key + "'"), e.getMessage());
    }
}
