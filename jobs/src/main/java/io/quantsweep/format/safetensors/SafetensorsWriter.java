package io.quantsweep.format.safetensors;

import io.quantsweep.io.AtomicOutput;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Builds one safetensors file from named tensors held in memory (dtype, shape, little-endian bytes).
 *
 * <p>The file is {@code u64 LE N || header || data}: the header is compact JSON with the optional
 * {@code __metadata__} first and then the tensors in the order added, their {@code data_offsets}
 * following one another from 0; it is padded with spaces so that the data section starts at a multiple
 * of 8, as the reference writer does. {@link #write} goes through a temporary file renamed on success
 * ({@link AtomicFiles}). The byte arrays are kept, not copied, until written.
 */
public final class SafetensorsWriter {
    private static final int ALIGNMENT = 8;

    private record Entry(SafetensorsDtype dtype, List<Long> shape, byte[] data) {
    }

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Entry> tensors = new LinkedHashMap<>();

    /** Adds one {@code __metadata__} entry. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /**
     * Adds a tensor.
     *
     * @throws IllegalArgumentException for a duplicate or reserved name, a negative dimension, or
     *         {@code data} whose length is not {@code prod(shape) * dtype size}
     */
    public SafetensorsWriter add(String name, SafetensorsDtype dtype, List<Long> shape, byte[] data) {
        if (name.equals(SafetensorsFile.METADATA_KEY) || tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor name '" + name + "' is reserved or already added");
        }
        long bytes = dtype.byteSize();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension in " + shape);
            }
            bytes = Math.multiplyExact(bytes, d);
        }
        if (data.length != bytes) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + shape + " and dtype " + dtype
                    + " needs " + bytes + " bytes, got " + data.length);
        }
        tensors.put(name, new Entry(dtype, List.copyOf(shape), data));
        return this;
    }

    /** Tensor names in the order added (the order of their data). */
    public Set<String> tensorNames() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    /** Length of the data section: the sum of the tensors' byte lengths. */
    public long dataBytes() {
        long n = 0;
        for (Entry e : tensors.values()) {
            n += e.data.length;
        }
        return n;
    }

    /** The header as written after the length prefix: JSON padded with spaces to a multiple of 8. */
    byte[] header() throws IOException {
        ObjectNode root = SafetensorsFile.JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject(SafetensorsFile.METADATA_KEY);
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            ObjectNode t = root.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype.name());
            ArrayNode shape = t.putArray("shape");
            e.getValue().shape.forEach(shape::add);
            long end = offset + e.getValue().data.length;
            t.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = SafetensorsFile.JSON.writeValueAsBytes(root);
        // The 8-byte prefix keeps the data aligned when the header length is a multiple of 8.
        byte[] padded = Arrays.copyOf(json, (json.length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }

    /** Writes the whole file to {@code out} (which is left open). */
    public void writeTo(OutputStream out) throws IOException {
        byte[] header = header();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.write(header);
        for (Entry e : tensors.values()) {
            out.write(e.data);
        }
    }

    /** Writes the file to {@code path} on {@code fs}, replacing it, through a temporary file and a rename. */
    public void write(FileSystem fs, Path path) throws IOException {
        AtomicOutput.write(fs, path, this::writeTo);
    }
}
