package io.quantsweep.format.imatrix;

import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.BAD_GGUF;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.BAD_NAME;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.BAD_SHAPE;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.ENTRY_TOO_LARGE;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.MISSING_KEY;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.MISSING_PARTNER;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.NEGATIVE_VALUE;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.NON_FINITE_VALUE;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.NOT_AN_IMATRIX;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.NO_ENTRIES;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.WRONG_TENSOR_TYPE;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.WRONG_VALUE_TYPE;

import io.quantsweep.format.gguf.ByteSource;
import io.quantsweep.format.gguf.GgufFormatException;
import io.quantsweep.format.gguf.GgufHeader;
import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufPlan;
import io.quantsweep.format.gguf.GgufReader;
import io.quantsweep.format.gguf.GgufTensorInfo;
import io.quantsweep.format.gguf.GgufTensorSpec;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.gguf.GgufValueType;
import io.quantsweep.format.gguf.GgufWriter;
import io.quantsweep.format.gguf.TensorData;
import io.quantsweep.format.imatrix.ImatrixFormatException.Reason;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The GGUF imatrix of llama-imatrix (spec §4.2), a GGUF v3 file:
 * <pre>
 * general.type = "imatrix"; imatrix.datasets: arr[str]; imatrix.chunk_count: u32; imatrix.chunk_size: u32
 * per entry, in name order: &lt;name&gt;.in_sum2  F32 {ne0, nmat}   raw Σx² per column and matrix
 *                           &lt;name&gt;.counts   F32 {1, nmat}     tokens per matrix
 * </pre>
 * ggml stores the dimensions up to the last one above 1, so a dense entry's tensors read as
 * {@code {ne0}} and {@code {1}}. The reader validates the container with {@link GgufReader}, requires
 * the three {@code imatrix.*} keys with llama.cpp's types, refuses a {@code general.type} other than
 * {@code "imatrix"} (absent is accepted, as llama-quantize does), ignores tensors with other suffixes
 * ({@code .in_sum}, {@code .stats}), and refuses an entry without its partner, of another type or
 * shape, or with a value that is not finite and non-negative.
 */
final class GgufImatrix {
    static final String KEY_TYPE = "general.type";
    static final String TYPE = "imatrix";
    static final String KEY_DATASETS = "imatrix.datasets";
    static final String KEY_CHUNK_COUNT = "imatrix.chunk_count";
    static final String KEY_CHUNK_SIZE = "imatrix.chunk_size";
    static final String SUMS = ".in_sum2";
    static final String COUNTS = ".counts";

    private GgufImatrix() {
    }

    /** An entry's two tensors as the header lists them; either may be missing. */
    private static final class Pair {
        GgufTensorInfo sums;
        GgufTensorInfo counts;
    }

    static ImatrixData read(ByteSource source) throws IOException {
        GgufHeader h;
        try {
            h = GgufReader.readHeader(source, GgufReader.Limits.DEFAULT);
        } catch (GgufFormatException e) {
            throw new ImatrixFormatException(BAD_GGUF, source.name(), e.offset(), "the GGUF container is refused: " + e.getMessage(), e);
        }
        String name = source.name();
        GgufValue type = h.get(KEY_TYPE).orElse(null);
        if (type != null && (type.type() != GgufValueType.STRING || !type.asString().equals(TYPE))) {
            throw new ImatrixFormatException(NOT_AN_IMATRIX, name, -1,
                    "%s is %s '%s', not \"%s\"".formatted(KEY_TYPE, type.type(), type, TYPE));
        }
        GgufValue datasets = key(h, KEY_DATASETS, GgufValueType.ARRAY, name);
        if (!(datasets instanceof GgufValue.StrArray strings)) {
            throw new ImatrixFormatException(WRONG_VALUE_TYPE, name, -1,
                    "%s is an array of %s, expected STRING".formatted(KEY_DATASETS, ((GgufValue.Array) datasets).elementType()));
        }
        long chunkCount = key(h, KEY_CHUNK_COUNT, GgufValueType.UINT32, name).asLong();
        long chunkSize = key(h, KEY_CHUNK_SIZE, GgufValueType.UINT32, name).asLong();

        Map<String, Pair> pairs = new TreeMap<>();
        for (GgufTensorInfo t : h.tensors()) {
            if (t.name().endsWith(SUMS)) {
                pairs.computeIfAbsent(base(t, SUMS, name), k -> new Pair()).sums = t;
            } else if (t.name().endsWith(COUNTS)) {
                pairs.computeIfAbsent(base(t, COUNTS, name), k -> new Pair()).counts = t;
            }
        }
        if (pairs.isEmpty()) {
            throw new ImatrixFormatException(NO_ENTRIES, name, -1,
                    "none of its %d tensors is an %s or %s tensor".formatted(h.tensors().size(), SUMS, COUNTS));
        }
        List<ImatrixData.Entry> entries = new ArrayList<>(pairs.size());
        for (Map.Entry<String, Pair> p : pairs.entrySet()) {
            entries.add(entry(source, h, p.getKey(), p.getValue()));
        }
        return new ImatrixData(strings.values(), chunkCount, chunkSize, entries);
    }

    private static GgufValue key(GgufHeader h, String key, GgufValueType type, String name) throws ImatrixFormatException {
        GgufValue v = h.get(key).orElseThrow(() -> new ImatrixFormatException(MISSING_KEY, name, -1,
                "key '%s' is missing; llama-quantize requires it".formatted(key)));
        if (v.type() != type) {
            throw new ImatrixFormatException(WRONG_VALUE_TYPE, name, -1, "key '%s' is %s, expected %s".formatted(key, v.type(), type));
        }
        return v;
    }

    private static String base(GgufTensorInfo t, String suffix, String name) throws ImatrixFormatException {
        String base = t.name().substring(0, t.name().length() - suffix.length());
        if (base.isEmpty()) {
            throw new ImatrixFormatException(BAD_NAME, name, -1, "tensor '%s' names no entry".formatted(t.name()));
        }
        return base;
    }

    private static ImatrixData.Entry entry(ByteSource source, GgufHeader h, String entry, Pair p) throws IOException {
        String name = source.name();
        if (p.sums == null || p.counts == null) {
            String has = p.sums == null ? entry + COUNTS : entry + SUMS;
            String lacks = p.sums == null ? entry + SUMS : entry + COUNTS;
            throw new ImatrixFormatException(MISSING_PARTNER, name, -1, "tensor '%s' has no partner '%s'".formatted(has, lacks));
        }
        for (GgufTensorInfo t : List.of(p.sums, p.counts)) {
            if (t.type() != GgmlType.F32) {
                throw new ImatrixFormatException(WRONG_TENSOR_TYPE, name, -1, "tensor '%s' is %s, not F32".formatted(t.name(), t.type()));
            }
        }
        GgufTensorSpec s = p.sums.spec();
        GgufTensorSpec c = p.counts.spec();
        long nmat = s.dim(1);
        if (s.dim(0) < 1 || nmat < 1 || s.dim(2) != 1 || s.dim(3) != 1) {
            throw new ImatrixFormatException(BAD_SHAPE, name, -1, "tensor '%s' is %s, not {ne0, nmat}".formatted(s.name(), shape(s)));
        }
        if (c.dim(0) != 1 || c.dim(1) != nmat || c.dim(2) != 1 || c.dim(3) != 1) {
            throw new ImatrixFormatException(BAD_SHAPE, name, -1, "tensor '%s' is %s, not {1, %d} as '%s' needs"
                    .formatted(c.name(), shape(c), nmat, s.name()));
        }
        if (s.elementCount() > ImatrixFiles.MAX_ENTRY_VALUES) {
            throw new ImatrixFormatException(ENTRY_TOO_LARGE, name, h.fileOffset(p.sums), "tensor '%s' has %d values, above the limit of %d"
                    .formatted(s.name(), s.elementCount(), ImatrixFiles.MAX_ENTRY_VALUES));
        }
        float[] sums = floats(source, h, p.sums);
        float[] counts = floats(source, h, p.counts);
        return new ImatrixData.Entry(entry, sums, counts);
    }

    private static String shape(GgufTensorSpec s) {
        return "{%d, %d, %d, %d}".formatted(s.dim(0), s.dim(1), s.dim(2), s.dim(3));
    }

    /** The tensor's values, refused if one is not finite and non-negative. */
    private static float[] floats(ByteSource source, GgufHeader h, GgufTensorInfo t) throws IOException {
        int n = (int) t.spec().elementCount();
        byte[] raw = new byte[4 * n];
        source.readFully(h.fileOffset(t), raw, 0, raw.length);
        float[] v = LittleEndian.toFloats(raw, 0, n);
        int bad = ImatrixData.firstInvalid(v);
        if (bad >= 0) {
            Reason why = Float.isFinite(v[bad]) ? NEGATIVE_VALUE : NON_FINITE_VALUE;
            throw new ImatrixFormatException(why, source.name(), h.fileOffset(t) + 4L * bad,
                    "tensor '%s' value %d is %s".formatted(t.name(), bad, v[bad]));
        }
        return v;
    }

    /**
     * Writes {@code data} as llama-imatrix does: the four keys, then per entry with data, in name
     * order, its {@code .in_sum2} and {@code .counts} (entries whose counts are all 0 are skipped).
     */
    static void write(OutputStream out, ImatrixData data) throws IOException {
        List<ImatrixData.Entry> kept = ImatrixFiles.withData(data);
        GgufMetadata md = new GgufMetadata()
                .put(KEY_TYPE, GgufValue.string(TYPE))
                .put(KEY_DATASETS, GgufValue.stringArray(data.datasets()))
                .put(KEY_CHUNK_COUNT, GgufValue.u32(data.chunkCount()))
                .put(KEY_CHUNK_SIZE, GgufValue.u32(data.chunkSize()));
        List<GgufTensorSpec> specs = new ArrayList<>(2 * kept.size());
        List<byte[]> payloads = new ArrayList<>(2 * kept.size());
        for (ImatrixData.Entry e : kept) {
            specs.add(GgufTensorSpec.of(e.name() + SUMS, GgmlType.F32, e.width(), e.matrices()));
            payloads.add(LittleEndian.toBytes(e.sharedSums()));
            specs.add(GgufTensorSpec.of(e.name() + COUNTS, GgmlType.F32, 1, e.matrices()));
            payloads.add(LittleEndian.toBytes(e.sharedCounts()));
        }
        try (GgufWriter w = GgufWriter.toStream(out, GgufPlan.of(md, specs))) {
            w.writeHeader();
            for (byte[] p : payloads) {
                w.writeTensor(TensorData.of(p));
            }
            w.finish();
        }
    }
}
