package io.quantsweep.format.imatrix;

import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.BAD_COUNT;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.BAD_NAME;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.DUPLICATE_ENTRY;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.ENTRY_TOO_LARGE;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.NEGATIVE_VALUE;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.NON_FINITE_VALUE;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.NO_ENTRIES;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.TRAILING_BYTES;
import static io.quantsweep.format.imatrix.ImatrixFormatException.Reason.TRUNCATED;

import io.quantsweep.format.gguf.ByteSource;
import io.quantsweep.format.imatrix.ImatrixFormatException.Reason;
import io.quantsweep.io.StrictUtf8;
import io.quantsweep.quant.LittleEndian;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The legacy llama-imatrix {@code .dat} file (spec §4.2): little-endian, no magic.
 * <pre>
 * i32 n_entries
 * n_entries × { i32 len; u8 name[len]; i32 ncall; i32 nval; f32 values[nval] }
 * optional trailer: i32 last_chunk; i32 len; u8 dataset_path[len]
 * </pre>
 * A stored value is {@code (Σx² / count) × ncall} with {@code ncall = ceil(max(counts) / chunk_size)}
 * (1 × ncall for a matrix without tokens); llama-quantize reads {@code stored / ncall} when
 * {@code ncall > 0}, else the stored value.
 *
 * <p>The reader trusts no count: each is checked against the bytes remaining (and the caps in
 * {@link ImatrixFiles}) before anything is allocated, names must be non-empty, unique and UTF-8, and
 * nothing may follow the trailer. llama-quantize is laxer on the last three (a later entry of the same
 * name wins, trailing bytes are ignored); a file that relies on them is corrupt.
 */
final class DatImatrix {
    /** Smallest entry: name length, a 1-byte name, ncall, nval, one value. */
    private static final int MIN_ENTRY_BYTES = 17;
    private static final int CHUNK_BYTES = 1 << 16;

    private DatImatrix() {
    }

    static ImatrixData read(ByteSource source) throws IOException {
        Cursor c = new Cursor(source);
        int n = c.i32("n_entries");
        if (n < 1) {
            throw c.error(NO_ENTRIES, 0, "n_entries is %d; llama-quantize needs at least one entry".formatted(n));
        }
        if (n > c.remaining() / MIN_ENTRY_BYTES) {
            throw c.error(BAD_COUNT, 0, "n_entries %d does not fit in the %d bytes that follow".formatted(n, c.remaining()));
        }
        List<ImatrixData.Entry> entries = new ArrayList<>(Math.min(n, 4096));
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n; i++) {
            long start = c.position();
            String name = c.string(1, "entry " + i + " name");
            String field = "entry %d '%s'".formatted(i, name);
            if (!names.add(name)) {
                throw c.error(DUPLICATE_ENTRY, start, field + " repeats an earlier name");
            }
            long ncallAt = c.position();
            int ncall = c.i32(field + " ncall");
            if (ncall < 0) {
                throw c.error(BAD_COUNT, ncallAt, "%s has ncall %d".formatted(field, ncall));
            }
            long nvalAt = c.position();
            int nval = c.i32(field + " nval");
            if (nval < 1) {
                throw c.error(BAD_COUNT, nvalAt, "%s has nval %d; at least 1 is needed".formatted(field, nval));
            }
            if (nval > ImatrixFiles.MAX_ENTRY_VALUES) {
                throw c.error(ENTRY_TOO_LARGE, nvalAt, "%s has %d values, above the limit of %d"
                        .formatted(field, nval, ImatrixFiles.MAX_ENTRY_VALUES));
            }
            long valuesAt = c.position();
            float[] values = c.floats(nval, field + " values");
            int bad = ImatrixData.firstInvalid(values);
            if (bad >= 0) {
                Reason why = Float.isFinite(values[bad]) ? NEGATIVE_VALUE : NON_FINITE_VALUE;
                throw c.error(why, valuesAt + 4L * bad, "%s value %d is %s".formatted(field, bad, values[bad]));
            }
            // one matrix whose count is ncall: stored / ncall, or the stored values themselves for ncall 0
            entries.add(new ImatrixData.Entry(name, values, new float[] {Math.max(ncall, 1)}));
        }
        List<String> datasets = List.of();
        int lastChunk = 0;
        if (c.remaining() > 0) {
            long at = c.position();
            lastChunk = c.i32("trailer last_chunk");
            if (lastChunk < 0) {
                throw c.error(BAD_COUNT, at, "trailer last_chunk is " + lastChunk);
            }
            datasets = List.of(c.string(0, "trailer dataset path"));
            if (c.remaining() > 0) {
                throw c.error(TRAILING_BYTES, c.position(), "%d bytes follow the trailer".formatted(c.remaining()));
            }
        }
        return new ImatrixData(datasets, lastChunk, 1, entries);
    }

    /**
     * Writes {@code data} as llama-imatrix does: entries with data in name order (entries whose
     * counts are all 0 are skipped), then the trailer with the chunk count and the datasets joined
     * by commas.
     *
     * @throws IllegalArgumentException if the chunk size is 0, no entry has data, or an ncall or the
     *     chunk count does not fit an i32
     */
    static void write(OutputStream out, ImatrixData data) throws IOException {
        if (data.chunkSize() < 1) {
            throw new IllegalArgumentException("a .dat needs a chunk size of at least 1 to turn counts into ncall");
        }
        List<ImatrixData.Entry> kept = ImatrixFiles.withData(data);
        if (data.chunkCount() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("chunk count %d does not fit the .dat's i32".formatted(data.chunkCount()));
        }
        out.write(i32(kept.size()));
        for (ImatrixData.Entry e : kept) {
            writeEntry(out, e, data.chunkSize());
        }
        out.write(i32((int) data.chunkCount()));
        byte[] dataset = String.join(",", data.datasets()).getBytes(StandardCharsets.UTF_8);
        out.write(i32(dataset.length));
        out.write(dataset);
    }

    private static void writeEntry(OutputStream out, ImatrixData.Entry e, long chunkSize) throws IOException {
        float[] sums = e.sharedSums();
        float[] counts = e.sharedCounts();
        float max = 0;
        for (float c : counts) {
            max = Math.max(max, c);
        }
        long ncallLong = ((long) Math.ceil(max) + chunkSize - 1) / chunkSize;
        if (ncallLong > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("entry '%s': ncall %d does not fit the .dat's i32".formatted(e.name(), ncallLong));
        }
        float ncall = (float) ncallLong;
        int width = e.width();
        byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(12 + name.length + 4 * sums.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(name.length).put(name).putInt((int) ncallLong).putInt(sums.length);
        for (int i = 0; i < sums.length; i++) {
            float count = counts[i / width];
            b.putFloat(count > 0.0f ? (sums[i] / count) * ncall : 1.0f * ncall);
        }
        out.write(b.array());
    }

    private static byte[] i32(int v) {
        byte[] b = new byte[4];
        LittleEndian.putInt(b, 0, v);
        return b;
    }

    /** A little-endian cursor that checks the bytes remaining before every read and allocation. */
    private static final class Cursor {
        private final ByteSource source;
        private final long size;
        private final byte[] four = new byte[4];
        private long pos;

        Cursor(ByteSource source) throws IOException {
            this.source = source;
            this.size = source.size();
        }

        long position() {
            return pos;
        }

        long remaining() {
            return size - pos;
        }

        ImatrixFormatException error(Reason reason, long offset, String detail) {
            return new ImatrixFormatException(reason, source.name(), offset, detail);
        }

        private void require(long n, String field) throws ImatrixFormatException {
            if (n > remaining()) {
                throw error(TRUNCATED, pos, "%s needs %d bytes but only %d remain".formatted(field, n, remaining()));
            }
        }

        int i32(String field) throws IOException {
            require(4, field);
            source.readFully(pos, four, 0, 4);
            pos += 4;
            return LittleEndian.getInt(four, 0);
        }

        /** An i32 length and that many UTF-8 bytes; the length must be at least {@code minLength}. */
        String string(int minLength, String field) throws IOException {
            long at = pos;
            int len = i32(field + " length");
            if (len < minLength) {
                throw error(BAD_NAME, at, "%s has length %d".formatted(field, len));
            }
            if (len > ImatrixFiles.MAX_STRING_BYTES) {
                throw error(BAD_NAME, at, "%s has length %d, above the limit of %d bytes".formatted(field, len, ImatrixFiles.MAX_STRING_BYTES));
            }
            require(len, field);
            byte[] b = new byte[len];
            source.readFully(pos, b, 0, len);
            pos += len;
            try {
                return StrictUtf8.decode(b);
            } catch (CharacterCodingException e) {
                throw error(BAD_NAME, at, field + " is not well-formed UTF-8");
            }
        }

        /** {@code n} little-endian floats, read in chunks once the file is known to hold them. */
        float[] floats(int n, String field) throws IOException {
            require(4L * n, field);
            float[] out = new float[n];
            byte[] buf = new byte[(int) Math.min(4L * n, CHUNK_BYTES)];
            for (int done = 0; done < n; ) {
                int k = Math.min(n - done, buf.length / 4);
                source.readFully(pos, buf, 0, 4 * k);
                for (int i = 0; i < k; i++) {
                    out[done + i] = LittleEndian.getFloat(buf, 4 * i);
                }
                pos += 4L * k;
                done += k;
            }
            return out;
        }
    }
}
