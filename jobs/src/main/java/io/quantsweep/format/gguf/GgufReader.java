package io.quantsweep.format.gguf;

import io.quantsweep.format.gguf.GgufFormatException.Reason;
import io.quantsweep.quant.GgmlType;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Reads a GGUF v2/v3 file (spec §1) that it does not trust, through positional reads only.
 *
 * <p>{@link #readHeader} parses and validates everything before the data section with a
 * {@link BoundedReader}: every length is checked against a hard cap ({@link Limits}) and the bytes
 * remaining before anything is allocated, products use {@code Math.multiplyExact}, keys and tensor
 * names must be unique, {@code general.alignment} must be a u32 power of two, type ids must be known,
 * and tensor offsets must be exactly the dense, aligned, in-order offsets ggml requires, with every
 * tensor inside the file and nothing after the padded end of the last one. The last tensor's
 * padding may be missing, as llama.cpp's loader allows. Refusals are {@link GgufFormatException}s.
 *
 * <p>An open reader then reads any tensor's bytes, or a range of them, without loading the file.
 */
public final class GgufReader implements Closeable {

    /**
     * Hard caps for untrusted input.
     *
     * @param maxStringBytes longest key or string value
     * @param maxArrayLength most elements in one array (ggml allows 2^30)
     * @param maxHeaderBytes most bytes of header (magic through tensor infos); below 2^31 so that
     *                       any array the header holds fits a Java array
     */
    public record Limits(long maxStringBytes, long maxArrayLength, long maxHeaderBytes) {
        /**
         * 16 MiB strings, 2^30 elements, 256 MiB of header. A DeepSeek-V3 header is about 10 MB; the
         * header cap also bounds the heap a hostile string array can cost (a few times the cap).
         */
        public static final Limits DEFAULT = new Limits(16L << 20, 1L << 30, 256L << 20);

        public Limits {
            if (maxStringBytes < 1 || maxArrayLength < 0 || maxHeaderBytes < 24 || maxHeaderBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("bad GGUF reader limits " + maxStringBytes + ", "
                        + maxArrayLength + ", " + maxHeaderBytes);
            }
        }
    }

    /** Smallest KV: 8-byte key length, a 1-byte key, 4-byte type, 1-byte value. */
    private static final int MIN_KV_BYTES = 14;
    /** Smallest tensor info: 8-byte name length, 1-byte name, n_dims, type, offset. */
    private static final int MIN_TENSOR_INFO_BYTES = 25;

    /** Blocks of the tensor data a {@link #fingerprint} reads, and their size. */
    private static final int SAMPLED_BLOCKS = 16;
    private static final int SAMPLED_BLOCK_BYTES = 64 << 10;

    private final ByteSource source;
    private final GgufHeader header;

    private GgufReader(ByteSource source, GgufHeader header) {
        this.source = source;
        this.header = header;
    }

    public static GgufReader open(Path file) throws IOException {
        return open(file, Limits.DEFAULT);
    }

    public static GgufReader open(Path file, Limits limits) throws IOException {
        return open(ByteSource.open(file), limits);
    }

    /** Reads the header of {@code source}, which the reader then owns (and closes on failure). */
    public static GgufReader open(ByteSource source, Limits limits) throws IOException {
        try {
            return new GgufReader(source, readHeader(source, limits));
        } catch (IOException | RuntimeException e) {
            try {
                source.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public GgufHeader header() {
        return header;
    }

    /** The source's name (path or URI). */
    public String name() {
        return source.name();
    }

    /** The tensor called {@code name}; IllegalArgumentException naming the file if there is none. */
    public GgufTensorInfo tensor(String name) {
        return header.tensor(name).orElseThrow(
                () -> new IllegalArgumentException("no tensor '%s' in %s".formatted(name, source.name())));
    }

    /** All bytes of tensor {@code name}; for tensors up to 2 GiB. */
    public byte[] readTensor(String name) throws IOException {
        GgufTensorInfo t = tensor(name);
        long n = t.byteSize();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '%s' in %s has %d bytes, too many for one array; read it in ranges"
                    .formatted(name, source.name(), n));
        }
        byte[] out = new byte[(int) n];
        readTensor(t, 0, out, 0, out.length);
        return out;
    }

    /** Bytes {@code [from, from+len)} of tensor {@code t}'s data into {@code dst[off..]}. */
    public void readTensor(GgufTensorInfo t, long from, byte[] dst, int off, int len) throws IOException {
        requireOwn(t);
        Objects.checkFromIndexSize(off, len, dst.length);
        if (from < 0 || from > t.byteSize() - len) {
            throw new IndexOutOfBoundsException("bytes %d+%d of tensor '%s' (%d bytes) in %s"
                    .formatted(from, len, t.name(), t.byteSize(), source.name()));
        }
        source.readFully(header.fileOffset(t) + from, dst, off, len);
    }

    /** Tensor {@code t}'s bytes as a {@link TensorData} that streams them from this file. */
    public TensorData tensorData(GgufTensorInfo t) {
        requireOwn(t);
        return TensorData.of(source, header.fileOffset(t), t.byteSize());
    }

    private void requireOwn(GgufTensorInfo t) {
        if (!header.tensor(t.name()).map(t::equals).orElse(false)) {
            throw new IllegalArgumentException("tensor %s is not a tensor of %s".formatted(t, source.name()));
        }
    }

    /**
     * SHA-256 of the header's bytes as stored (magic to the padding before the tensor data) and of 16
     * blocks of 64 KiB spread evenly over the tensor data, in hex: the same for every copy of the file,
     * different when its metadata or any tensor's name, type, shape or place differs, or the weights where
     * a block falls; a megabyte read whatever the file's size.
     */
    public String fingerprint() throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        // a file without tensors may end before the padding
        long data = Math.min(header.dataOffset(), header.fileSize());
        byte[] chunk = new byte[SAMPLED_BLOCK_BYTES];
        digest(sha, chunk, 0, data);
        long dataBytes = header.fileSize() - data;
        for (int i = 0; i < SAMPLED_BLOCKS && dataBytes > 0; i++) {
            long at = data + dataBytes * i / SAMPLED_BLOCKS;
            digest(sha, chunk, at, Math.min(at + SAMPLED_BLOCK_BYTES, header.fileSize()));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private void digest(MessageDigest sha, byte[] chunk, long from, long to) throws IOException {
        for (long at = from; at < to; at += chunk.length) {
            int n = (int) Math.min(chunk.length, to - at);
            source.readFully(at, chunk, 0, n);
            sha.update(chunk, 0, n);
        }
    }

    @Override
    public void close() throws IOException {
        source.close();
    }

    /** Parses and validates the header of {@code source} (which stays open). */
    public static GgufHeader readHeader(ByteSource source, Limits limits) throws IOException {
        return new HeaderParser(new BoundedReader(source, limits.maxHeaderBytes()), limits, source.name()).parse();
    }

    /** One parse: the steps of spec §1 in file order. */
    private static final class HeaderParser {
        private final BoundedReader r;
        private final Limits limits;
        private final String name;

        HeaderParser(BoundedReader r, Limits limits, String name) {
            this.r = r;
            this.limits = limits;
            this.name = name;
        }

        GgufHeader parse() throws IOException {
            long magic = r.u32("magic");
            if (magic != (Gguf.MAGIC & 0xFFFF_FFFFL)) {
                throw r.error(Reason.BAD_MAGIC, 0, "magic is 0x%08x, not 'GGUF'".formatted(Integer.reverseBytes((int) magic)));
            }
            long version = r.u32("version");
            if (version != 0 && (version & 0xFFFF) == 0) {
                throw r.error(Reason.BYTE_SWAPPED, 4, "version 0x%08x reads as a big-endian file".formatted(version));
            }
            if (version < 2 || version > Gguf.VERSION) {
                throw r.error(Reason.UNSUPPORTED_VERSION, 4, "version " + version + " (2 and 3 are supported)");
            }
            long nTensors = r.i64("n_tensors");
            long nKv = r.i64("n_kv");
            long rest = r.remaining();
            if (nTensors < 0 || nTensors > rest / MIN_TENSOR_INFO_BYTES) {
                throw r.error(Reason.BAD_COUNT, 8, "n_tensors %d does not fit in the %d bytes that follow".formatted(nTensors, rest));
            }
            if (nKv < 0 || nKv > rest / MIN_KV_BYTES || nKv * MIN_KV_BYTES + nTensors * MIN_TENSOR_INFO_BYTES > rest) {
                throw r.error(Reason.BAD_COUNT, 16, "n_kv %d with n_tensors %d does not fit in the %d bytes that follow"
                        .formatted(nKv, nTensors, rest));
            }

            GgufMetadata metadata = new GgufMetadata();
            long alignmentAt = -1;
            for (long i = 0; i < nKv; i++) {
                long at = r.position();
                String key = r.string(limits.maxStringBytes, "kv[" + i + "] key");
                if (key.isEmpty()) {
                    throw r.error(Reason.EMPTY_KEY, at, "kv[" + i + "] has an empty key");
                }
                if (metadata.contains(key)) {
                    throw r.error(Reason.DUPLICATE_KEY, at, "kv[%d] repeats key '%s'".formatted(i, key));
                }
                String field = "kv[%d] '%s'".formatted(i, key);
                metadata.put(key, value(valueType(field + " value type"), field));
                if (key.equals(Gguf.KEY_ALIGNMENT)) {
                    alignmentAt = at;
                }
            }
            long alignment = alignment(metadata, alignmentAt);

            List<GgufTensorInfo> tensors = new ArrayList<>((int) Math.min(nTensors, 4096));
            Set<String> names = new HashSet<>();
            long expected = 0;
            for (long i = 0; i < nTensors; i++) {
                GgufTensorInfo t = tensorInfo(i, names, expected, alignment);
                tensors.add(t);
                try {
                    expected = Math.addExact(expected, Gguf.pad(t.byteSize(), alignment));
                } catch (ArithmeticException e) {
                    throw r.error(Reason.TENSOR_BEYOND_EOF, r.position(), "tensor '%s' ends past 2^63 bytes".formatted(t.name()));
                }
            }

            long infosEnd = r.position();
            long dataOffset = Gguf.pad(infosEnd, alignment);
            checkData(tensors, infosEnd, dataOffset, expected);
            return new GgufHeader(name, (int) version, metadata, tensors, alignment, dataOffset, r.size());
        }

        private GgufValueType valueType(String field) throws IOException {
            long at = r.position();
            int id = r.i32(field);
            return GgufValueType.byId(id).orElseThrow(
                    () -> r.error(Reason.UNKNOWN_VALUE_TYPE, at, "%s is %d, not a GGUF value type".formatted(field, id)));
        }

        private GgufValue value(GgufValueType type, String field) throws IOException {
            return switch (type) {
                case STRING -> new GgufValue.Str(r.string(limits.maxStringBytes, field));
                case ARRAY -> array(field);
                case BOOL -> new GgufValue.Bool(r.u8(field) != 0);
                case FLOAT32 -> new GgufValue.F32(Float.intBitsToFloat(r.i32(field)));
                case FLOAT64 -> new GgufValue.F64(Double.longBitsToDouble(r.i64(field)));
                default -> new GgufValue.Int(type, r.scalar(type.size(), isSigned(type), field));
            };
        }

        private static boolean isSigned(GgufValueType t) {
            return t == GgufValueType.INT8 || t == GgufValueType.INT16 || t == GgufValueType.INT32 || t == GgufValueType.INT64;
        }

        private GgufValue array(String field) throws IOException {
            long typeAt = r.position();
            GgufValueType elem = valueType(field + " element type");
            if (elem == GgufValueType.ARRAY) {
                throw r.error(Reason.NESTED_ARRAY, typeAt, field + " is an array of arrays");
            }
            long countAt = r.position();
            long count = r.i64(field + " length");
            if (count < 0 || count > limits.maxArrayLength) {
                throw r.error(Reason.ARRAY_TOO_LONG, countAt, "%s has %s elements, above the limit of %d"
                        .formatted(field, Long.toUnsignedString(count), limits.maxArrayLength));
            }
            // each element needs at least this many bytes: check before allocating anything for them
            long minBytes = multiply(count, elem == GgufValueType.STRING ? 8 : elem.size(), field, countAt);
            r.require(minBytes, field + " (" + count + " elements)");
            if (elem != GgufValueType.STRING) {
                return new GgufValue.NumArray(elem, r.bytes(minBytes, field));
            }
            List<String> values = new ArrayList<>((int) Math.min(count, 4096));
            String element = field + " element";
            for (long j = 0; j < count; j++) {
                values.add(r.string(limits.maxStringBytes, element));
            }
            return new GgufValue.StrArray(values);
        }

        private long multiply(long a, long b, String field, long at) throws GgufFormatException {
            try {
                return Math.multiplyExact(a, b);
            } catch (ArithmeticException e) {
                throw r.error(Reason.TRUNCATED, at, "%s: %d × %d bytes overflows".formatted(field, a, b));
            }
        }

        private long alignment(GgufMetadata metadata, long at) throws GgufFormatException {
            GgufValue v = metadata.get(Gguf.KEY_ALIGNMENT).orElse(null);
            if (v == null) {
                return Gguf.DEFAULT_ALIGNMENT;
            }
            if (v.type() != GgufValueType.UINT32) {
                throw r.error(Reason.BAD_ALIGNMENT, at, "%s is %s, must be UINT32".formatted(Gguf.KEY_ALIGNMENT, v.type()));
            }
            if (!Gguf.isValidAlignment(v.asLong())) {
                throw r.error(Reason.BAD_ALIGNMENT, at, "%s is %d, not a power of two".formatted(Gguf.KEY_ALIGNMENT, v.asLong()));
            }
            return v.asLong();
        }

        private GgufTensorInfo tensorInfo(long i, Set<String> names, long expected, long alignment) throws IOException {
            long at = r.position();
            String tensorName = r.string(limits.maxStringBytes, "tensor[" + i + "] name");
            int nameBytes = tensorName.getBytes(StandardCharsets.UTF_8).length;
            if (nameBytes == 0 || nameBytes > Gguf.MAX_TENSOR_NAME_BYTES) {
                throw r.error(Reason.BAD_TENSOR_NAME, at, "tensor[%d] name '%s' has %d bytes; 1..%d are allowed"
                        .formatted(i, tensorName, nameBytes, Gguf.MAX_TENSOR_NAME_BYTES));
            }
            if (!names.add(tensorName)) {
                throw r.error(Reason.DUPLICATE_TENSOR, at, "tensor[%d] repeats name '%s'".formatted(i, tensorName));
            }
            String field = "tensor '" + tensorName + "'";
            long dimsAt = r.position();
            long nDims = r.u32(field + " n_dims");
            if (nDims > Gguf.MAX_DIMS) {
                throw r.error(Reason.BAD_DIMENSIONS, dimsAt, "%s has %d dimensions; at most %d are allowed"
                        .formatted(field, nDims, Gguf.MAX_DIMS));
            }
            long[] ne = new long[(int) nDims];
            for (int d = 0; d < ne.length; d++) {
                long neAt = r.position();
                ne[d] = r.i64(field + " ne[" + d + "]");
                if (ne[d] < 0) {
                    throw r.error(Reason.BAD_DIMENSIONS, neAt, "%s has ne[%d] = %d".formatted(field, d, ne[d]));
                }
            }
            long typeAt = r.position();
            int typeId = r.i32(field + " type");
            GgmlType type;
            try {
                type = GgmlType.fromId(typeId);
            } catch (IllegalArgumentException e) {
                throw r.error(Reason.UNKNOWN_TENSOR_TYPE, typeAt, "%s has type id %d, which is unknown or removed".formatted(field, typeId));
            }
            long offsetAt = r.position();
            long offset = r.i64(field + " offset");
            long row = ne.length > 0 ? ne[0] : 1;
            if (row % type.blockSize() != 0) {
                throw r.error(Reason.ROW_NOT_BLOCK_ALIGNED, dimsAt, "%s: ne[0] = %d is not a multiple of %s's block size %d"
                        .formatted(field, row, type, type.blockSize()));
            }
            try {
                GgufTensorSpec.byteSize(type, ne);
            } catch (ArithmeticException e) {
                throw r.error(Reason.BAD_DIMENSIONS, dimsAt, "%s: the byte size of %s × %s overflows"
                        .formatted(field, Arrays.toString(ne), type));
            }
            if (offset != expected) {
                String why = Long.compareUnsigned(offset, expected) < 0 ? "overlaps or precedes the previous tensor"
                        : Long.remainderUnsigned(offset, alignment) != 0 ? "is not a multiple of the alignment " + alignment
                        : "leaves a gap after the previous tensor";
                throw r.error(Reason.OFFSET_MISMATCH, offsetAt, "%s has offset %s, expected %d: it %s"
                        .formatted(field, Long.toUnsignedString(offset), expected, why));
            }
            return new GgufTensorInfo(new GgufTensorSpec(tensorName, type, ne), offset);
        }

        private void checkData(List<GgufTensorInfo> tensors, long infosEnd, long dataOffset, long paddedData)
                throws GgufFormatException {
            long size = r.size();
            if (tensors.isEmpty()) {
                if (size > dataOffset) {
                    throw r.error(Reason.TRAILING_BYTES, dataOffset, "%d bytes follow the header of a file without tensors"
                            .formatted(size - dataOffset));
                }
                return;
            }
            if (dataOffset > size) {
                throw r.error(Reason.TRUNCATED, infosEnd, "the padding before the data section ends at %d, past the end of the file (%d bytes)"
                        .formatted(dataOffset, size));
            }
            long dataBytes = size - dataOffset;
            for (GgufTensorInfo t : tensors) {
                if (t.offset() > dataBytes || t.byteSize() > dataBytes - t.offset()) {
                    throw r.error(Reason.TENSOR_BEYOND_EOF, Math.min(size, dataOffset + t.offset()),
                            "tensor '%s' (%d bytes at data offset %d) runs past the end of the file (%d bytes)"
                                    .formatted(t.name(), t.byteSize(), t.offset(), size));
                }
            }
            if (dataBytes > paddedData) {
                throw r.error(Reason.TRAILING_BYTES, dataOffset + paddedData, "%d bytes follow the padded end of the last tensor"
                        .formatted(dataBytes - paddedData));
            }
        }
    }
}
