package io.quantsweep.plan;

import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.imatrix.ImatrixData;
import io.quantsweep.quant.imatrix.ImportanceMatrix;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * What a quantized file records about the importance matrix it was made with: the
 * {@code quantize.imatrix.*} keys llama-quantize appends as KV overrides after
 * {@code general.file_type} (deepseek-v3-gguf.md §3.7), in its order:
 * <ol>
 *   <li>{@code quantize.imatrix.file} (string): the path as given on the command line;</li>
 *   <li>{@code quantize.imatrix.dataset} (string): the first dataset, only when the imatrix names one;</li>
 *   <li>{@code quantize.imatrix.entries_count} (u32): entries left after the include/exclude filter;</li>
 *   <li>{@code quantize.imatrix.chunks_count} (u32): chunks, only when above 0.</li>
 * </ol>
 * Strings are cut to 127 bytes, the size of llama.cpp's override buffer ({@link #truncate}); integer overrides are
 * written as u32, as current llama-quantize does (older builds wrote i32).
 *
 * @param file the imatrix path as the user gave it
 * @param datasets the datasets the imatrix names (a legacy {@code .dat} names at most one)
 * @param entryCount entries after filtering
 * @param chunkCount chunks the imatrix was computed on, 0 when unknown
 */
public record ImatrixProvenance(String file, List<String> datasets, int entryCount, long chunkCount)
        implements Serializable {

    public static final String KEY_FILE = "quantize.imatrix.file";
    public static final String KEY_DATASET = "quantize.imatrix.dataset";
    public static final String KEY_ENTRIES = "quantize.imatrix.entries_count";
    public static final String KEY_CHUNKS = "quantize.imatrix.chunks_count";

    /** llama.cpp's {@code llama_model_kv_override::val_str} holds 127 bytes and a NUL. */
    static final int MAX_STRING_BYTES = 127;

    public ImatrixProvenance {
        Objects.requireNonNull(file, "file");
        datasets = List.copyOf(datasets);
        if (entryCount < 1) {
            throw new IllegalArgumentException("imatrix '" + file + "' has no entries left to use (" + entryCount + ")");
        }
        if (chunkCount < 0 || chunkCount > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("imatrix '" + file + "' has chunk count " + chunkCount);
        }
    }

    /**
     * The provenance of an imatrix file as llama-quantize loaded it.
     *
     * @param file the path as the user gave it
     * @param data the file's contents
     * @param used the entries left after the include/exclude filter
     */
    public static ImatrixProvenance of(String file, ImatrixData data, ImportanceMatrix used) {
        return new ImatrixProvenance(file, data.datasets(), used.size(), data.chunkCount());
    }

    /** Appends the keys to {@code md}, as llama-quantize applies its overrides. */
    public void appendTo(GgufMetadata md) {
        md.put(KEY_FILE, GgufValue.string(truncate(file)));
        if (!datasets.isEmpty()) {
            md.put(KEY_DATASET, GgufValue.string(truncate(datasets.get(0))));
        }
        md.put(KEY_ENTRIES, GgufValue.u32(entryCount));
        if (chunkCount > 0) {
            md.put(KEY_CHUNKS, GgufValue.u32(chunkCount));
        }
    }

    /**
     * The first 127 bytes of {@code s}, as strncpy cuts it. A cut inside a multi-byte character drops
     * that character (llama.cpp keeps its first bytes, which a Java string cannot hold).
     */
    static String truncate(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_STRING_BYTES) {
            return s;
        }
        int end = MAX_STRING_BYTES;
        while ((b[end] & 0xC0) == 0x80) { // b[end] continues the character that starts before the cut
            end--;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }
}
