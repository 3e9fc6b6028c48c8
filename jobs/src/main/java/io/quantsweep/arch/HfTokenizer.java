package io.quantsweep.arch;

import static io.quantsweep.arch.ModelMappingException.Reason.BAD_VALUE;
import static io.quantsweep.arch.ModelMappingException.Reason.MALFORMED_FILE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.gguf.GgufValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A Hugging Face byte-level BPE tokenizer ({@code tokenizer.json} and {@code tokenizer_config.json})
 * and the {@code tokenizer.*} GGUF keys llama.cpp's converter writes for it ({@code _set_vocab_gpt2}
 * then gguf-py's {@code SpecialVocab}):
 *
 * <ul>
 *   <li>{@code tokenizer.ggml.model = "gpt2"}, {@code tokenizer.ggml.pre} as the architecture names it;
 *   <li>{@code tokens}: exactly {@code vocab_size} strings, id → token text, {@code "[PAD<id>]"} for ids
 *       without a token; {@code token_type} (INT32): 1 NORMAL for the BPE vocabulary, 3 CONTROL for an
 *       added token that is {@code special} or looks special ({@code <|…|>}, {@code <｜…｜>},
 *       {@code <pad>}, …), 4 USER_DEFINED for other added tokens (their {@code ▁} written as a space),
 *       5 UNUSED for the fillers;
 *   <li>{@code merges} as {@code "a b"} strings (pair-form merges joined, spaces inside a part written
 *       as {@code Ġ});
 *   <li>special token ids (UINT32) for bos, eos, unk, sep, pad, cls, mask, in that order, found by the
 *       content {@code tokenizer_config.json} gives among the added tokens, then from {@code config.json}'s
 *       {@code <type>_token_id} for those still unset; {@code add_<type>_token} (BOOL) flags as the
 *       config states them; {@code tokenizer.chat_template} verbatim.
 * </ul>
 */
public final class HfTokenizer {
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String CONFIG_FILE = "tokenizer_config.json";
    public static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";

    static final int NORMAL = 1;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;

    /** gguf-py's special token types, in its order, with the GGUF key stem of each. */
    private static final Map<String, String> SPECIAL_KEYS = new LinkedHashMap<>();

    static {
        SPECIAL_KEYS.put("bos", "bos");
        SPECIAL_KEYS.put("eos", "eos");
        SPECIAL_KEYS.put("unk", "unknown");
        SPECIAL_KEYS.put("sep", "seperator"); // sic: llama.cpp's key name
        SPECIAL_KEYS.put("pad", "padding");
        SPECIAL_KEYS.put("cls", "cls");
        SPECIAL_KEYS.put("mask", "mask");
    }

    private record Added(String content, boolean special) {
    }

    private final String source;
    private final Map<Integer, String> vocab;
    private final Map<Integer, Added> added;
    private final List<String> merges;
    private final ObjectNode config;
    private final Optional<String> chatTemplate;

    private HfTokenizer(String source, Map<Integer, String> vocab, Map<Integer, Added> added, List<String> merges,
            ObjectNode config, Optional<String> chatTemplate) {
        this.source = source;
        this.vocab = vocab;
        this.added = added;
        this.merges = merges;
        this.config = config;
        this.chatTemplate = chatTemplate;
    }

    /** Reads the tokenizer files of a model directory ({@code tokenizer_config.json} may be absent). */
    public static HfTokenizer read(FileSystem fs, Path dir) throws IOException {
        Path json = new Path(dir, TOKENIZER_FILE);
        Path cfg = new Path(dir, CONFIG_FILE);
        Path template = new Path(dir, CHAT_TEMPLATE_FILE);
        ObjectNode config = fs.exists(cfg) ? JsonFile.read(fs, cfg) : JsonFile.JSON.createObjectNode();
        Optional<String> templateFile = Optional.empty();
        if (fs.exists(template)) {
            byte[] b = new byte[(int) Math.min(fs.getFileStatus(template).getLen(), JsonFile.MAX_BYTES)];
            try (FSDataInputStream in = fs.open(template)) {
                in.readFully(0, b, 0, b.length);
            }
            templateFile = Optional.of(new String(b, StandardCharsets.UTF_8));
        }
        return of(json.toString(), JsonFile.read(fs, json), config, templateFile);
    }

    /**
     * A tokenizer from parsed files.
     *
     * @param tokenizerConfig {@code tokenizer_config.json} (empty object when absent)
     * @param chatTemplateFile {@code chat_template.jinja}, used when the config has no {@code chat_template}
     */
    public static HfTokenizer of(String source, ObjectNode tokenizerJson, ObjectNode tokenizerConfig,
            Optional<String> chatTemplateFile) {
        JsonNode model = tokenizerJson.path("model");
        if (!model.path("type").asText("").equals("BPE") || !model.path("vocab").isObject()) {
            throw new ModelMappingException(MALFORMED_FILE, source + ": model is not a BPE model with a vocab object");
        }
        Map<Integer, String> vocab = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : model.get("vocab").properties()) {
            vocab.put(tokenId(source, e.getKey(), e.getValue()), e.getKey());
        }
        Map<Integer, Added> added = new LinkedHashMap<>();
        for (JsonNode a : tokenizerJson.path("added_tokens")) {
            String content = a.path("content").asText(null);
            if (content == null) {
                throw new ModelMappingException(MALFORMED_FILE, source + ": added token " + a + " has no content");
            }
            int id = tokenId(source, content, a.path("id"));
            added.put(id, new Added(content, a.path("special").asBoolean(false)));
            vocab.put(id, content);
        }
        JsonNode template = tokenizerConfig.path("chat_template");
        Optional<String> chatTemplate;
        if (template.isTextual()) {
            chatTemplate = Optional.of(template.textValue());
        } else if (template.isMissingNode() || template.isNull()) {
            chatTemplate = chatTemplateFile;
        } else {
            throw new ModelMappingException(BAD_VALUE, source + ": chat_template in " + CONFIG_FILE
                    + " is not a string (named template lists are not supported)");
        }
        return new HfTokenizer(source, vocab, added, merges(source, model.path("merges")), tokenizerConfig.deepCopy(),
                chatTemplate);
    }

    private static int tokenId(String source, String token, JsonNode id) {
        if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
            throw new ModelMappingException(MALFORMED_FILE, source + ": token '" + token + "' has id " + id);
        }
        return id.intValue();
    }

    private static List<String> merges(String source, JsonNode node) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : node) {
            if (m.isTextual()) {
                out.add(m.textValue());
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                // transformers >= 4.45 writes pairs so that parts may hold spaces; the "a b" form needs them as Ġ
                out.add(m.get(0).textValue().replace(' ', 'Ġ') + " " + m.get(1).textValue().replace(' ', 'Ġ'));
            } else {
                throw new ModelMappingException(MALFORMED_FILE, source + ": merge " + m + " is neither \"a b\" nor [a, b]");
            }
        }
        return out;
    }

    /** The largest token id the tokenizer defines. */
    public int maxTokenId() {
        return vocab.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
    }

    /**
     * The {@code tokenizer.*} keys, in the converter's order.
     *
     * @param pre {@code tokenizer.ggml.pre}, the architecture's pre-tokenizer name
     * @param vocabSize {@code vocab_size} of the model: the length of the token arrays
     * @param modelConfig the model's config, whose {@code <type>_token_id} fill special ids the tokenizer config leaves unset
     * @throws ModelMappingException ({@code BAD_VALUE}) when a token id is not below {@code vocabSize}
     */
    public GgufMetadata metadata(String pre, int vocabSize, HfConfig modelConfig) {
        if (maxTokenId() >= vocabSize) {
            throw new ModelMappingException(BAD_VALUE, source + ": token id " + maxTokenId() + " is not below vocab_size "
                    + vocabSize + " of " + modelConfig.source());
        }
        List<String> tokens = new ArrayList<>(vocabSize);
        long[] types = new long[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            String text = vocab.get(i);
            Added a = added.get(i);
            if (text == null) {
                tokens.add("[PAD" + i + "]");
                types[i] = UNUSED;
            } else if (a == null) {
                tokens.add(text);
                types[i] = NORMAL;
            } else if (a.special() || looksSpecial(text)) {
                tokens.add(text);
                types[i] = CONTROL;
            } else {
                tokens.add(text.replace("\u2581", " "));
                types[i] = USER_DEFINED;
            }
        }
        GgufMetadata md = new GgufMetadata();
        md.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        md.put("tokenizer.ggml.pre", GgufValue.string(pre));
        md.put("tokenizer.ggml.tokens", GgufValue.stringArray(tokens));
        md.put("tokenizer.ggml.token_type", GgufValue.intArray(GgufValueType.INT32, types));
        if (!merges.isEmpty()) {
            md.put("tokenizer.ggml.merges", GgufValue.stringArray(merges));
        }
        for (Map.Entry<String, Integer> e : specialIds(vocabSize, modelConfig).entrySet()) {
            md.put("tokenizer.ggml." + SPECIAL_KEYS.get(e.getKey()) + "_token_id", GgufValue.u32(e.getValue()));
        }
        for (String type : SPECIAL_KEYS.keySet()) {
            JsonNode flag = config.path("add_" + type + "_token");
            if (flag.isBoolean()) {
                md.put("tokenizer.ggml.add_" + type + "_token", GgufValue.bool(flag.booleanValue()));
            }
        }
        chatTemplate.ifPresent(t -> md.put("tokenizer.chat_template", GgufValue.string(t)));
        return md;
    }

    private Map<String, Integer> specialIds(int vocabSize, HfConfig modelConfig) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (String type : SPECIAL_KEYS.keySet()) {
            JsonNode entry = config.path(type + "_token");
            String content = entry.isTextual() ? entry.textValue() : entry.path("content").asText(null);
            if (content == null) {
                continue;
            }
            // the first added token with that content, in file order
            added.entrySet().stream()
                    .filter(e -> e.getValue().content().equals(content))
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .ifPresent(id -> {
                        if (id < vocabSize) {
                            ids.put(type, id);
                        }
                    });
        }
        for (String type : SPECIAL_KEYS.keySet()) {
            int id = modelConfig.intOr(type + "_token_id", -1);
            if (id >= 0 && id < vocabSize) {
                ids.putIfAbsent(type, id);
            }
        }
        return ids;
    }

    /** gguf-py's test for added tokens that should be CONTROL although not marked special. */
    static boolean looksSpecial(String t) {
        return t.equals("<pad>") || t.equals("<mask>") || t.equals("<2mass>") || t.equals("[@BOS@]")
                || (t.startsWith("<|") && t.endsWith("|>"))
                || (t.startsWith("<\uFF5C") && t.endsWith("\uFF5C>"))
                || (t.startsWith("<unused") && t.endsWith(">"));
    }
}
