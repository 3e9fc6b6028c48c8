package io.quantsweep.arch;

import static io.quantsweep.arch.ModelMappingException.Reason.MALFORMED_FILE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.io.StrictUtf8;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** The JSON files of a model directory ({@code config.json}, tokenizer files), read whole and strictly. */
public final class JsonFile {
    /** Largest JSON file read; a real {@code tokenizer.json} is under 10 MB. */
    public static final long MAX_BYTES = 256L << 20;

    /** Strict parsing (duplicate keys and trailing tokens refused); also used to write the generator's files. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonFile() {
    }

    /** Reads {@code file} as one JSON object. */
    public static ObjectNode read(FileSystem fs, Path file) throws IOException {
        long length = fs.getFileStatus(file).getLen();
        if (length > MAX_BYTES) {
            throw new ModelMappingException(MALFORMED_FILE, file + ": " + length + " bytes, more than the cap of " + MAX_BYTES);
        }
        byte[] bytes = new byte[(int) length];
        try (FSDataInputStream in = fs.open(file)) {
            in.readFully(0, bytes, 0, bytes.length);
        }
        return parse(file.toString(), bytes);
    }

    /** Parses {@code bytes} as one JSON object; {@code source} names it in errors. */
    public static ObjectNode parse(String source, byte[] bytes) {
        JsonNode root;
        try {
            root = JSON.readTree(StrictUtf8.decode(bytes));
        } catch (CharacterCodingException e) {
            throw new ModelMappingException(MALFORMED_FILE, source + ": not UTF-8", e);
        } catch (JsonProcessingException e) {
            throw new ModelMappingException(MALFORMED_FILE, source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelMappingException(MALFORMED_FILE, source + ": not a JSON object");
        }
        return (ObjectNode) root;
    }
}
