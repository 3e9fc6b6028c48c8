package io.quantsweep.format.imatrix;

import io.quantsweep.format.gguf.ByteSource;
import io.quantsweep.format.gguf.Gguf;
import io.quantsweep.io.AtomicOutput;
import io.quantsweep.quant.LittleEndian;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads and writes llama.cpp importance-matrix files of either format ({@link ImatrixFormat}).
 *
 * <p>Reading detects the format from the first four bytes ({@code GGUF} or not; a {@code .dat} starts
 * with its entry count, which would have to exceed a billion to look like the magic) and reads only
 * through positional reads, so {@code hdfs://} and {@code s3a://} files work like local ones. A file
 * that is not what its format says is refused with an {@link ImatrixFormatException}.
 *
 * <p>Writing goes through {@link AtomicOutput}: the file appears under its name only when complete.
 * Both writers follow llama-imatrix: entries in name order, entries without any token skipped.
 */
public final class ImatrixFiles {
    /** Most values one entry may hold (DeepSeek-V3's largest has 256 × 7168 = 1,835,008). */
    public static final int MAX_ENTRY_VALUES = 1 << 28;
    /** Longest {@code .dat} entry name or dataset path, in bytes. */
    public static final int MAX_STRING_BYTES = 4096;

    private ImatrixFiles() {
    }

    /** Reads {@code path} on {@code fs}, either format. */
    public static ImatrixData read(FileSystem fs, Path path) throws IOException {
        try (ByteSource source = ByteSource.open(fs, path)) {
            return read(source);
        }
    }

    /** Reads a local file, either format. */
    public static ImatrixData read(java.nio.file.Path file) throws IOException {
        try (ByteSource source = ByteSource.open(file)) {
            return read(source);
        }
    }

    /** Reads {@code source} (which stays open), either format. */
    public static ImatrixData read(ByteSource source) throws IOException {
        return switch (detect(source)) {
            case GGUF -> GgufImatrix.read(source);
            case DAT -> DatImatrix.read(source);
        };
    }

    /** The format of {@code source}, from its first four bytes. */
    public static ImatrixFormat detect(ByteSource source) throws IOException {
        if (source.size() < 4) {
            throw new ImatrixFormatException(ImatrixFormatException.Reason.TRUNCATED, source.name(), 0,
                    "%d bytes cannot hold an entry count or a GGUF magic".formatted(source.size()));
        }
        byte[] head = new byte[4];
        source.readFully(0, head, 0, 4);
        return LittleEndian.getInt(head, 0) == Gguf.MAGIC ? ImatrixFormat.GGUF : ImatrixFormat.DAT;
    }

    /** Writes {@code data} to {@code target} on {@code fs} in {@code format}, atomically. */
    public static void write(FileSystem fs, Path target, ImatrixData data, ImatrixFormat format) throws IOException {
        AtomicOutput.write(fs, target, out -> write(out, data, format));
    }

    /** Writes {@code data} to the local file {@code target} in {@code format}, atomically. */
    public static void write(java.nio.file.Path target, ImatrixData data, ImatrixFormat format) throws IOException {
        AtomicOutput.write(target, out -> write(out, data, format));
    }

    /**
     * Writes {@code data} to {@code out} (which the caller closes) in {@code format}.
     *
     * @throws IllegalArgumentException if no entry has data, or the data does not fit the format (see
     *     the {@code .dat} limits on the chunk size and counts)
     */
    public static void write(OutputStream out, ImatrixData data, ImatrixFormat format) throws IOException {
        switch (format) {
            case GGUF -> GgufImatrix.write(out, data);
            case DAT -> DatImatrix.write(out, data);
        }
    }

    /** The entries a writer keeps: those with a token in some matrix; at least one must remain. */
    static List<ImatrixData.Entry> withData(ImatrixData data) {
        List<ImatrixData.Entry> kept = data.entries().stream().filter(ImatrixData.Entry::hasData).toList();
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("none of the %d imatrix entries has data; llama-quantize would refuse the file"
                    .formatted(data.entries().size()));
        }
        return kept;
    }
}
