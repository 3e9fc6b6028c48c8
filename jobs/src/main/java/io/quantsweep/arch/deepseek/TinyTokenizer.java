package io.quantsweep.arch.deepseek;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.arch.JsonFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small byte-level BPE tokenizer laid out like DeepSeek-V3's, for generated models: the three
 * special tokens at ids 0–2 ({@code <｜begin▁of▁sentence｜>}, {@code <｜end▁of▁sentence｜>},
 * {@code <｜▁pad▁｜>}), the 256 byte tokens from id 3 in GPT-2's order, merges learned from a fixed
 * list of common English words up to {@code baseVocab} tokens, then a few added chat tokens; the
 * model's {@code vocab_size} may leave ids past them without a token, as DeepSeek-V3's does.
 *
 * <p>The pre-tokenizer, decoder and post-processor are DeepSeek-V3's configuration, so llama.cpp's
 * {@code deepseek-v3} pre-tokenizer applies; the chat template is a minimal one of our own using the
 * same role tokens. Everything is a pure function of {@code baseVocab}.
 */
final class TinyTokenizer {
    static final String BOS = "<\uFF5Cbegin\u2581of\u2581sentence\uFF5C>";
    static final String EOS = "<\uFF5Cend\u2581of\u2581sentence\uFF5C>";
    static final String PAD = "<\uFF5C\u2581pad\u2581\uFF5C>";
    static final String USER = "<\uFF5CUser\uFF5C>";
    static final String ASSISTANT = "<\uFF5CAssistant\uFF5C>";
    static final String EOT = "<|EOT|>";

    /** Added tokens after the BPE vocabulary: content and whether HF marks it special. */
    private static final Map<String, Boolean> CHAT_TOKENS = new LinkedHashMap<>();

    static {
        CHAT_TOKENS.put(USER, false);
        CHAT_TOKENS.put(ASSISTANT, false);
        CHAT_TOKENS.put(EOT, true);
    }

    static final String CHAT_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
            + "{% if message['role'] == 'user' %}" + USER + "{{ message['content'] }}"
            + "{% elif message['role'] == 'assistant' %}" + ASSISTANT + "{{ message['content'] }}" + EOS
            + "{% else %}{{ message['content'] }}{% endif %}{% endfor %}"
            + "{% if add_generation_prompt %}" + ASSISTANT + "{% endif %}";

    private static final String WORDS = """
            the of and to in is was for that with as on by he it at from his an were are which this be or has had not
            first also new one two their after its who but been they have her she all other time there when into
            more only over most world between these some during years him would used while year can may state
            under such where about city made then many both three well through part later than out no any each
            each people government called since number before them school use during system could known
            university being first national group what same because however music company including high
            life until second see against during four often early work name home found we off great show
            model weight value layer tensor block scale expert head token vector matrix data file row column
            quantize format sweep spark cluster float byte half small large tiny test run check load write read
            day night water light sound place point word line side hand part case week fact area
            """;

    private TinyTokenizer() {
    }

    /** tokenizer.json with a BPE vocabulary of at most {@code baseVocab} tokens (fewer if the words run out of merges). */
    static ObjectNode tokenizerJson(int baseVocab) {
        List<String> vocab = new ArrayList<>(List.of(BOS, EOS, PAD));
        vocab.addAll(ByteLevelBpe.byteTokens());
        if (baseVocab < vocab.size()) {
            throw new IllegalArgumentException("a byte-level vocabulary needs at least " + vocab.size() + " tokens, not " + baseVocab);
        }
        Set<String> known = new LinkedHashSet<>(vocab);
        List<ByteLevelBpe.Merge> merges = new ArrayList<>();
        // a merge whose result is already a token adds none: leave room for a few
        for (ByteLevelBpe.Merge m : ByteLevelBpe.train(words(), baseVocab - vocab.size() + 64)) {
            if (known.size() == baseVocab) {
                break;
            }
            merges.add(m);
            known.add(m.joined());
        }
        vocab = new ArrayList<>(known);

        ObjectNode root = JsonFile.JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < 3; id++) {
            addedToken(added, id, vocab.get(id), true);
        }
        int id = vocab.size();
        for (Map.Entry<String, Boolean> t : CHAT_TOKENS.entrySet()) {
            addedToken(added, id++, t.getKey(), t.getValue());
        }
        root.putObject("normalizer").put("type", "Sequence").putArray("normalizers");
        ObjectNode pre = root.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode pres = pre.putArray("pretokenizers");
        split(pres, "\\p{N}{1,3}");
        split(pres, "[\u4E00-\u9FA5\u3040-\u309F\u30A0-\u30FF]+");
        split(pres, "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
                + "| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+");
        pres.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", false);
        root.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", false)
                .put("use_regex", true);
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
                .put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix")
                .putNull("end_of_word_suffix").put("fuse_unk", false).put("byte_fallback", false);
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) {
            v.put(vocab.get(i), i);
        }
        ArrayNode m = model.putArray("merges");
        merges.forEach(x -> m.add(x.toString()));
        return root;
    }

    /** tokenizer_config.json in the shape of DeepSeek-V3's. */
    static ObjectNode tokenizerConfig() {
        ObjectNode c = JsonFile.JSON.createObjectNode();
        c.put("add_bos_token", true);
        c.put("add_eos_token", false);
        addedTokenRef(c, "bos_token", BOS);
        c.put("clean_up_tokenization_spaces", false);
        addedTokenRef(c, "eos_token", EOS);
        c.put("legacy", true);
        c.put("model_max_length", 16384);
        addedTokenRef(c, "pad_token", EOS);
        c.putObject("sp_model_kwargs");
        c.putNull("unk_token");
        c.put("tokenizer_class", "LlamaTokenizerFast");
        c.put("chat_template", CHAT_TEMPLATE);
        return c;
    }

    private static void addedToken(ArrayNode added, int id, String content, boolean special) {
        added.addObject().put("id", id).put("content", content).put("single_word", false).put("lstrip", false)
                .put("rstrip", false).put("normalized", !special).put("special", special);
    }

    private static void addedTokenRef(ObjectNode c, String key, String content) {
        c.putObject(key).put("__type", "AddedToken").put("content", content).put("lstrip", false).put("normalized", true)
                .put("rstrip", false).put("single_word", false);
    }

    private static void split(ArrayNode pres, String regex) {
        ObjectNode s = pres.addObject().put("type", "Split");
        s.putObject("pattern").put("Regex", regex);
        s.put("behavior", "Isolated").put("invert", false);
    }

    /** The training words, byte-level encoded, weighted by rank (Zipf); the form after a space weighs three times more. */
    private static Map<String, Long> words() {
        Map<String, Long> out = new LinkedHashMap<>();
        String[] list = WORDS.strip().split("\\s+");
        for (int rank = 0; rank < list.length; rank++) {
            long weight = 30_000L / (rank + 1) + 1;
            out.merge(ByteLevelBpe.encode(" " + list[rank]), 3 * weight, Long::sum);
            out.merge(ByteLevelBpe.encode(list[rank]), weight, Long::sum);
            String capital = Character.toUpperCase(list[rank].charAt(0)) + list[rank].substring(1);
            out.merge(ByteLevelBpe.encode(" " + capital), weight, Long::sum);
        }
        return out;
    }
}
