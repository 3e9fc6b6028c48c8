package io.quantsweep.format.safetensors;

import io.quantsweep.io.AtomicOutput;
import io.quantsweep.io.CountingOutputStream;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FilterOutputStream;
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
 * Builds one safetensors file from named tensors (dtype, shape, little-endian bytes), held in memory
 * or produced while the file is written.
 *
 * <p>The file is {@code u64 LE N || header || data}: the header is compact JSON with the optional
 * {@code __metadata__} first and then the tensors in the order added, their {@code data_offsets}
 * following one another from 0; it is padded with spaces so that the data section starts at a multiple
 * of 8, as the reference writer does. {@link #write} goes through a temporary file renamed on success
 * ({@link AtomicOutput}). Byte arrays are kept, not copied, until written; a {@link TensorBody} is called
 * once, when its tensor's turn comes, so a file larger than memory can be streamed.
 */
public final class SafetensorsWriter {
    private static final int ALIGNMENT = 8;

    /** Writes the bytes of one tensor: exactly {@code prod(shape) * dtype size} of them. */
    @FunctionalInterface
    public interface TensorBody {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Entry(SafetensorsDtype dtype, List<Long> shape, long bytes, TensorBody body) {
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
        long bytes = byteLength(name, dtype, shape);
        if (data.length != bytes) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + shape + " and dtype " + dtype
                    + " needs " + bytes + " bytes, got " + data.length);
        }
        tensors.put(name, new Entry(dtype, List.copyOf(shape), bytes, out -> out.write(data)));
        return this;
    }

    /**
     * Adds a tensor whose bytes {@code body} writes when the file is written; writing fails if it
     * writes any other number of bytes than the shape needs.
     *
     * @throws IllegalArgumentException for a duplicate or reserved name or a negative dimension
     */
    public SafetensorsWriter add(String name, SafetensorsDtype dtype, List<Long> shape, TensorBody body) {
        long bytes = byteLength(name, dtype, shape);
        tensors.put(name, new Entry(dtype, List.copyOf(shape), bytes, body));
        return this;
    }

    private long byteLength(String name, SafetensorsDtype dtype, List<Long> shape) {
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
        return bytes;
    }

    /** Tensor names in the order added (the order of their data). */
    public Set<String> tensorNames() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    /** Length of the data section: the sum of the tensors' byte lengths. */
    public long dataBytes() {
        long n = 0;
        for (Entry e : tensors.values()) {
            n += e.bytes;
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
            long end = offset + e.getValue().bytes;
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
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            CountingOutputStream counted = new CountingOutputStream(out);
            e.getValue().body.writeTo(counted);
            if (counted.count() != e.getValue().bytes) {
                throw new IOException("tensor '" + e.getKey() + "': its body wrote " + counted.count()
                        + " bytes, its shape " + e.getValue().shape + " of " + e.getValue().dtype + " needs "
                        + e.getValue().bytes);
            }
        }
    }

    /** Writes the file to {@code path} on {@code fs}, replacing it, through a temporary file and a rename. */
    public void write(FileSystem fs, Path path) throws IOException {
        AtomicOutput.write(fs, path, this::writeTo);
    }
}
