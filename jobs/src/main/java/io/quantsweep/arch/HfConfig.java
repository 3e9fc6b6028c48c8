package io.quantsweep.arch;

import static io.quantsweep.arch.ModelMappingException.Reason.BAD_VALUE;
import static io.quantsweep.arch.ModelMappingException.Reason.MISSING_KEY;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.quant.numeric.Fp8BlockScaling;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A Hugging Face {@code config.json} (or one of its nested objects) with typed accessors. A
 * {@code require*} accessor refuses an absent or null key ({@code MISSING_KEY}) and a value of the
 * wrong JSON type or range ({@code BAD_VALUE}), naming the file and the key's path, e.g.
 * {@code config.json: key 'rope_scaling.factor' is missing}. JSON {@code null} counts as absent, as
 * Python's {@code hparams.get} sees it.
 */
public final class HfConfig {
    public static final String FILE_NAME = "config.json";

    private final String source;
    private final String prefix;
    private final ObjectNode root;

    private HfConfig(String source, String prefix, ObjectNode root) {
        this.source = source;
        this.prefix = prefix;
        this.root = root;
    }

    /** Parses a config; {@code source} names it in errors. */
    public static HfConfig parse(String source, byte[] json) {
        return new HfConfig(source, "", JsonFile.parse(source, json));
    }

    /** The config of {@code node}, a JSON object. */
    public static HfConfig of(String source, ObjectNode node) {
        return new HfConfig(source, "", node.deepCopy());
    }

    /** Reads {@code config.json} from a model directory. */
    public static HfConfig read(FileSystem fs, Path modelDir) throws IOException {
        Path file = new Path(modelDir, FILE_NAME);
        return new HfConfig(file.toString(), "", JsonFile.read(fs, file));
    }

    /** The file this config came from. */
    public String source() {
        return source;
    }

    /** A copy of the JSON. */
    public ObjectNode json() {
        return root.deepCopy();
    }

    /** True when {@code key} is present and not null. */
    public boolean has(String key) {
        JsonNode n = root.get(key);
        return n != null && !n.isNull();
    }

    /**
     * The model class the config names: {@code architectures[0]}.
     *
     * @throws ModelMappingException when {@code architectures} is missing, empty or not an array of strings
     */
    public String architecture() {
        List<String> names = requireStrings("architectures");
        if (names.isEmpty()) {
            throw bad("architectures", "is an empty list");
        }
        return names.get(0);
    }

    public int requireInt(String key) {
        JsonNode n = require(key);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw bad(key, "is " + n + ", not a 32-bit integer");
        }
        return n.intValue();
    }

    /** {@code key}'s integer value, or {@code otherwise} when it is absent or null. */
    public int intOr(String key, int otherwise) {
        return has(key) ? requireInt(key) : otherwise;
    }

    /** A number, integral or not ({@code "rope_theta": 10000} is a number). */
    public double requireDouble(String key) {
        JsonNode n = require(key);
        if (!n.isNumber()) {
            throw bad(key, "is " + n + ", not a number");
        }
        return n.doubleValue();
    }

    public Optional<Double> optionalDouble(String key) {
        return has(key) ? Optional.of(requireDouble(key)) : Optional.empty();
    }

    public boolean requireBool(String key) {
        JsonNode n = require(key);
        if (!n.isBoolean()) {
            throw bad(key, "is " + n + ", not true or false");
        }
        return n.booleanValue();
    }

    public boolean boolOr(String key, boolean otherwise) {
        return has(key) ? requireBool(key) : otherwise;
    }

    public String requireString(String key) {
        JsonNode n = require(key);
        if (!n.isTextual()) {
            throw bad(key, "is " + n + ", not a string");
        }
        return n.textValue();
    }

    public Optional<String> optionalString(String key) {
        return has(key) ? Optional.of(requireString(key)) : Optional.empty();
    }

    public List<String> requireStrings(String key) {
        JsonNode n = require(key);
        if (!n.isArray()) {
            throw bad(key, "is " + n + ", not a list");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw bad(key, "holds " + e + ", not a string");
            }
            out.add(e.textValue());
        }
        return out;
    }

    /** The nested object {@code key}, whose keys are then named {@code key.inner} in errors. */
    public HfConfig requireObject(String key) {
        JsonNode n = require(key);
        if (!n.isObject()) {
            throw bad(key, "is " + n + ", not an object");
        }
        return new HfConfig(source, path(key) + ".", (ObjectNode) n);
    }

    public Optional<HfConfig> optionalObject(String key) {
        return has(key) ? Optional.of(requireObject(key)) : Optional.empty();
    }

    /**
     * The FP8 block size of {@code quantization_config} ({@code quant_method: fp8},
     * {@code weight_block_size: [rows, cols]}), or DeepSeek-V3's 128×128 when the config has none
     * (then no tensor of the checkpoint should be FP8).
     */
    public Fp8BlockScaling fp8BlockScaling() {
        Optional<HfConfig> q = optionalObject("quantization_config");
        if (q.isEmpty()) {
            return Fp8BlockScaling.DEEPSEEK_V3;
        }
        String method = q.get().requireString("quant_method");
        if (!method.equals("fp8")) {
            throw q.get().bad("quant_method", "is '" + method + "'; only fp8 checkpoints are supported");
        }
        JsonNode block = q.get().require("weight_block_size");
        if (!block.isArray() || block.size() != 2 || !block.get(0).canConvertToInt() || !block.get(1).canConvertToInt()
                || block.get(0).intValue() <= 0 || block.get(1).intValue() <= 0) {
            throw q.get().bad("weight_block_size", "is " + block + ", not two positive integers");
        }
        return new Fp8BlockScaling(block.get(0).intValue(), block.get(1).intValue());
    }

    /** A {@code BAD_VALUE} error about {@code key}, for checks the caller makes. */
    public ModelMappingException bad(String key, String problem) {
        return new ModelMappingException(BAD_VALUE, source + ": key '" + path(key) + "' " + problem);
    }

    private JsonNode require(String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            throw new ModelMappingException(MISSING_KEY, source + ": key '" + path(key) + "' is "
                    + (n == null ? "missing" : "null"));
        }
        return n;
    }

    private String path(String key) {
        return prefix + key;
    }

    @Override
    public String toString() {
        return source + (prefix.isEmpty() ? "" : " (" + prefix.substring(0, prefix.length() - 1) + ")");
    }
}
