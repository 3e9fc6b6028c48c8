package io.quantsweep.format.safetensors;

import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.DATA_NOT_CONTIGUOUS;
import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.HEADER_TOO_LARGE;
import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.MALFORMED_HEADER;
import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.OFFSETS_OVERLAP;
import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.OFFSET_OUT_OF_RANGE;
import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.SIZE_MISMATCH;
import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.TRUNCATED;
import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.UNKNOWN_DTYPE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.quantsweep.format.safetensors.SafetensorsFormatException.Reason;
import io.quantsweep.io.StrictUtf8;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One safetensors file, read through Hadoop's {@link FileSystem} ({@code file://}, {@code hdfs://},
 * {@code s3a://}). Layout: {@code u64 LE N || N bytes of UTF-8 JSON header || data section}; the header
 * maps tensor names to {@code {dtype, shape, data_offsets: [begin, end]}} (offsets relative to the data
 * section, which starts at {@code 8 + N}) and may hold a {@code __metadata__} map of strings.
 *
 * <p>Opening reads and checks the header only; tensor bytes are then read with positional reads, one
 * tensor or one slab of rows at a time, so a shard is never loaded whole. All offsets are {@code long}.
 * The header must pass every rule of the format or opening fails with a {@link SafetensorsFormatException}:
 * a length prefix within {@link #MAX_HEADER_BYTES} and the file, strict JSON (no duplicate keys, no
 * trailing tokens, exactly the three fields per tensor), known dtypes, byte ranges inside the data
 * section whose length is {@code prod(shape) * dtype size}, and tensors that tile the data section
 * without gap or overlap up to the last byte of the file.
 *
 * <p>Positional reads do not move a shared file pointer, so concurrent reads are as safe as the file
 * system's {@code PositionedReadable} (thread-safe by Hadoop's contract).
 */
public final class SafetensorsFile implements Closeable {
    /** Largest header accepted (the reference implementation's cap, 100 MB); real shards need under 1 MB. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The header key of the optional string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");

    private final Path path;
    private final FSDataInputStream in;
    private final long dataStart;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, TensorInfo> tensors = new LinkedHashMap<>();

    private SafetensorsFile(Path path, FSDataInputStream in, long fileLength) throws IOException {
        this.path = path;
        this.in = in;
        if (fileLength < 8) {
            throw fail(TRUNCATED, "file is " + fileLength + " bytes, too short for the 8-byte header length");
        }
        byte[] prefix = new byte[8];
        in.readFully(0, prefix, 0, 8);
        long headerLength = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
        // A u64 above Long.MAX_VALUE reads as negative: it is too large as well.
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw fail(HEADER_TOO_LARGE, "header length " + Long.toUnsignedString(headerLength)
                    + " exceeds the cap of " + MAX_HEADER_BYTES + " bytes");
        }
        if (headerLength > fileLength - 8) {
            throw fail(TRUNCATED, "header length " + headerLength + " runs past the end of the file ("
                    + fileLength + " bytes)");
        }
        byte[] header = new byte[(int) headerLength];
        in.readFully(8, header, 0, header.length);
        dataStart = 8 + headerLength;
        parseHeader(header, fileLength - dataStart);
    }

    /** Opens {@code path} on {@code fs} and validates its header. */
    public static SafetensorsFile open(FileSystem fs, Path path) throws IOException {
        long length = fs.getFileStatus(path).getLen();
        FSDataInputStream in = fs.open(path);
        try {
            return new SafetensorsFile(path, in, length);
        } catch (IOException | RuntimeException e) {
            try {
                in.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** The header's {@code __metadata__} (empty when absent), in header order. */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** Every tensor, in header order. */
    public Collection<TensorInfo> tensors() {
        return Collections.unmodifiableCollection(tensors.values());
    }

    public Optional<TensorInfo> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** @throws NoSuchElementException when the file has no tensor {@code name} */
    public TensorInfo tensor(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new NoSuchElementException(path + ": no tensor '" + name + "'");
        }
        return t;
    }

    /** File offset of the data section ({@code 8 + N}). */
    public long dataStart() {
        return dataStart;
    }

    /** The raw little-endian bytes of a whole tensor. */
    public byte[] read(String name) throws IOException {
        return readRows(name, 0, tensor(name).rowCount());
    }

    /** The raw little-endian bytes of rows {@code [r0, r1)} (rows as {@link TensorInfo} counts them). */
    public byte[] readRows(String name, long r0, long r1) throws IOException {
        TensorInfo t = tensor(name);
        byte[] dst = new byte[t.slabBytes(r0, r1)];
        readRows(t, r0, dst, 0, dst.length);
        return dst;
    }

    /** Reads rows {@code [r0, r1)} of {@code name} into {@code dst} at {@code dstOff}. */
    public void readRows(String name, long r0, long r1, byte[] dst, int dstOff) throws IOException {
        TensorInfo t = tensor(name);
        readRows(t, r0, dst, dstOff, t.slabBytes(r0, r1));
    }

    private void readRows(TensorInfo t, long r0, byte[] dst, int dstOff, int length) throws IOException {
        in.readFully(dataStart + t.begin() + r0 * t.rowBytes(), dst, dstOff, length);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private void parseHeader(byte[] header, long dataLength) throws SafetensorsFormatException {
        JsonNode root;
        try {
            root = JSON.readTree(StrictUtf8.decode(header));
        } catch (CharacterCodingException e) {
            throw fail(MALFORMED_HEADER, "header is not UTF-8", e);
        } catch (JsonProcessingException e) {
            throw fail(MALFORMED_HEADER, "header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw fail(MALFORMED_HEADER, "header is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals(METADATA_KEY)) {
                parseMetadata(e.getValue());
            } else {
                tensors.put(e.getKey(), parseEntry(e.getKey(), e.getValue(), dataLength));
            }
        }
        checkContiguous(dataLength);
    }

    private void parseMetadata(JsonNode node) throws SafetensorsFormatException {
        if (!node.isObject()) {
            throw fail(MALFORMED_HEADER, METADATA_KEY + " is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw fail(MALFORMED_HEADER, METADATA_KEY + " value of '" + e.getKey() + "' is not a string");
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }
    }

    private TensorInfo parseEntry(String name, JsonNode entry, long dataLength) throws SafetensorsFormatException {
        if (!entry.isObject()) {
            throw failAt(MALFORMED_HEADER, name, "entry is not a JSON object");
        }
        Set<String> fields = new HashSet<>();
        entry.fieldNames().forEachRemaining(fields::add);
        if (!fields.equals(ENTRY_FIELDS)) {
            throw failAt(MALFORMED_HEADER, name, "entry has fields " + fields + ", expected " + ENTRY_FIELDS);
        }
        JsonNode dtypeNode = entry.get("dtype");
        if (!dtypeNode.isTextual()) {
            throw failAt(MALFORMED_HEADER, name, "dtype is not a string");
        }
        SafetensorsDtype dtype = SafetensorsDtype.fromName(dtypeNode.textValue())
                .orElseThrow(() -> failAt(UNKNOWN_DTYPE, name, "unknown dtype '" + dtypeNode.textValue() + "'"));
        List<Long> shape = naturals(name, "shape", entry.get("shape"));
        List<Long> offsets = naturals(name, "data_offsets", entry.get("data_offsets"));
        if (offsets.size() != 2) {
            throw failAt(MALFORMED_HEADER, name, "data_offsets has " + offsets.size() + " numbers, expected 2");
        }
        long begin = offsets.get(0);
        long end = offsets.get(1);
        if (begin > end || end > dataLength) {
            throw failAt(OFFSET_OUT_OF_RANGE, name, "data_offsets [" + begin + ", " + end
                    + "] are not a range inside the data section of " + dataLength + " bytes");
        }
        TensorInfo t = new TensorInfo(name, dtype, shape, begin, end);
        long expected;
        try {
            expected = Math.multiplyExact(t.elementCount(), dtype.byteSize());
            t.rowBytes();
            t.rowCount();
        } catch (ArithmeticException overflow) {
            throw failAt(SIZE_MISMATCH, name, "shape " + shape + " of " + dtype + " overflows a 64-bit size");
        }
        if (t.byteLength() != expected) {
            throw failAt(SIZE_MISMATCH, name, "shape " + shape + " of " + dtype + " needs " + expected
                    + " bytes, data_offsets [" + begin + ", " + end + "] hold " + t.byteLength());
        }
        return t;
    }

    private List<Long> naturals(String name, String field, JsonNode node) throws SafetensorsFormatException {
        if (!node.isArray()) {
            throw failAt(MALFORMED_HEADER, name, field + " is not an array");
        }
        List<Long> out = new ArrayList<>(node.size());
        for (JsonNode n : node) {
            if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
                throw failAt(MALFORMED_HEADER, name, field + " holds " + n + ", not a non-negative 64-bit integer");
            }
            out.add(n.longValue());
        }
        return out;
    }

    /** The format requires the tensors to tile the data section exactly: sorted by offset, each starts where the last ended. */
    private void checkContiguous(long dataLength) throws SafetensorsFormatException {
        List<TensorInfo> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        String previous = null;
        for (TensorInfo t : byOffset) {
            if (t.begin() < covered) {
                throw failAt(OFFSETS_OVERLAP, t.name(), "starts at " + t.begin() + ", inside tensor '" + previous
                        + "' which ends at " + covered);
            }
            if (t.begin() > covered) {
                throw failAt(DATA_NOT_CONTIGUOUS, t.name(), "starts at " + t.begin() + ", expected " + covered
                        + (previous == null ? " (the data section's start)" : " (the end of tensor '" + previous + "')"));
            }
            covered = t.end();
            previous = t.name();
        }
        if (covered != dataLength) {
            throw fail(DATA_NOT_CONTIGUOUS, "tensors cover " + covered + " bytes of a data section of "
                    + dataLength + " bytes (the file has trailing bytes)");
        }
    }

    private SafetensorsFormatException fail(Reason reason, String message) {
        return new SafetensorsFormatException(reason, path + ": " + message);
    }

    private SafetensorsFormatException fail(Reason reason, String message, Throwable cause) {
        return new SafetensorsFormatException(reason, path + ": " + message, cause);
    }

    private SafetensorsFormatException failAt(Reason reason, String tensor, String message) {
        return new SafetensorsFormatException(reason, path + ": tensor '" + tensor + "': " + message);
    }
}
