package io.quantsweep.format.safetensors;

import io.quantsweep.io.AtomicOutput;
import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.MALFORMED_INDEX;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.quantsweep.io.StrictUtf8;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The index of a sharded checkpoint, {@code model.safetensors.index.json}:
 * {@code {"metadata": {...}, "weight_map": {"<tensor name>": "<shard file name>"}}}. Shards are plain
 * file names in the index's directory, taken from the index rather than guessed from a pattern. Other
 * top-level keys are ignored on reading.
 *
 * @param metadata free-form metadata (Hugging Face writes {@code total_size}); values as Jackson maps JSON to Java
 * @param weightMap tensor name to shard file name, in file order
 */
public record SafetensorsIndex(Map<String, Object> metadata, Map<String, String> weightMap) {
    public static final String FILE_NAME = "model.safetensors.index.json";

    public SafetensorsIndex {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            if (!isPlainFileName(e.getValue())) {
                throw new IllegalArgumentException("shard '" + e.getValue() + "' of tensor '" + e.getKey()
                        + "' is not a plain file name");
            }
        }
    }

    /** The index of shards written by {@code shards} (file name to writer), with {@code total_size} as Hugging Face writes it. */
    public static SafetensorsIndex of(Map<String, SafetensorsWriter> shards) {
        Map<String, String> weightMap = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<String, SafetensorsWriter> shard : shards.entrySet()) {
            for (String tensor : shard.getValue().tensorNames()) {
                String before = weightMap.put(tensor, shard.getKey());
                if (before != null) {
                    throw new IllegalArgumentException("tensor '" + tensor + "' is in shards '" + before + "' and '"
                            + shard.getKey() + "'");
                }
            }
            total += shard.getValue().dataBytes();
        }
        return new SafetensorsIndex(Map.of("total_size", total), weightMap);
    }

    /** Shard file names, sorted (the order the Hugging Face converter visits them). */
    public SortedSet<String> shardNames() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(weightMap.values()));
    }

    /** Reads and checks an index file. */
    public static SafetensorsIndex read(FileSystem fs, Path path) throws IOException {
        long length = fs.getFileStatus(path).getLen();
        if (length > SafetensorsFile.MAX_HEADER_BYTES) {
            throw new SafetensorsFormatException(MALFORMED_INDEX, path + ": index is " + length
                    + " bytes, more than the cap of " + SafetensorsFile.MAX_HEADER_BYTES);
        }
        byte[] bytes = new byte[(int) length];
        try (FSDataInputStream in = fs.open(path)) {
            in.readFully(0, bytes, 0, bytes.length);
        }
        JsonNode root;
        try {
            root = SafetensorsFile.JSON.readTree(StrictUtf8.decode(bytes));
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(MALFORMED_INDEX, path + ": not UTF-8", e);
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(MALFORMED_INDEX, path + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("weight_map").isObject()) {
            throw new SafetensorsFormatException(MALFORMED_INDEX, path + ": not a JSON object with a weight_map object");
        }
        JsonNode meta = root.path("metadata");
        if (!meta.isMissingNode() && !meta.isObject()) {
            throw new SafetensorsFormatException(MALFORMED_INDEX, path + ": metadata is not a JSON object");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.get("weight_map").properties()) {
            JsonNode shard = e.getValue();
            if (!shard.isTextual() || !isPlainFileName(shard.textValue())) {
                throw new SafetensorsFormatException(MALFORMED_INDEX, path + ": tensor '" + e.getKey()
                        + "' maps to " + shard + ", not a shard file name");
            }
            weightMap.put(e.getKey(), shard.textValue());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> metadata = meta.isMissingNode() ? Map.of() : SafetensorsFile.JSON.convertValue(meta, Map.class);
        return new SafetensorsIndex(metadata, weightMap);
    }

    /** Writes this index to {@code path} on {@code fs} through a temporary file and a rename. */
    public void write(FileSystem fs, Path path) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("metadata", metadata);
        root.put("weight_map", weightMap);
        AtomicOutput.write(fs, path, out -> out.write(
                SafetensorsFile.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root)));
    }

    /** A single path component that a Hadoop {@link Path} takes literally (no separator, no scheme colon). */
    private static boolean isPlainFileName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..")
                && name.indexOf('/') < 0 && name.indexOf('\\') < 0 && name.indexOf(':') < 0;
    }
}
