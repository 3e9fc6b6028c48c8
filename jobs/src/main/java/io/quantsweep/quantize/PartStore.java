package io.quantsweep.quantize;

import io.quantsweep.io.AtomicOutput;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The parts and unit records of a run, under its work directory:
 * {@code parts/v<variant>/u<unit>.part} (one unit's bytes in one variant, padding included) and
 * {@code units/u<unit>.json} ({@link UnitRecord}).
 *
 * <p>Commit protocol of a part: the task writes {@code .u<unit>.part.<attempt>.tmp} next to the part
 * (attempt-unique: a retried or speculative attempt never writes into another's file), closes it and
 * renames it to the part's name. A task that dies mid-write leaves at most a stray temporary file,
 * never a short part. Attempts of one unit write the same bytes, so when the name is already taken
 * the existing part is checked and the temporary dropped. The record is written the same way, after
 * all of the unit's parts: a part without a record is not trusted, and a resumed run checks every
 * part against its record's size and CRC-32C before it skips a unit.
 */
public final class PartStore {
    private static final int BUFFER = 1 << 20;

    /** Called by {@link #writePart} when half of a part is written: a place for tests to make a task die mid-write. */
    @FunctionalInterface
    public interface WriteHook {
        WriteHook NONE = (variant, unit) -> { };

        void halfway(int variant, int unit) throws IOException;
    }

    /** A part's size and checksum. */
    public record Checksum(long bytes, long crc32c) {
    }

    private final FileSystem fs;
    private final Path work;

    public PartStore(FileSystem fs, Path work) {
        this.fs = fs;
        this.work = work;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public Path workDirectory() {
        return work;
    }

    /** The directory of variant {@code variant}'s parts (shards are assembled here too, for HDFS concat). */
    public Path partsDirectory(int variant) {
        return new Path(work, "parts/v" + variant);
    }

    public Path part(int variant, int unit) {
        return new Path(partsDirectory(variant), "u%06d.part".formatted(unit));
    }

    public Path record(int unit) {
        return new Path(work, "units/u%06d.json".formatted(unit));
    }

    /** Size and CRC-32C of {@code data[0..length)} followed by {@code padding} zeros. */
    public static Checksum checksum(byte[] data, int length, long padding) {
        CRC32C crc = new CRC32C();
        crc.update(data, 0, length);
        byte[] zeros = new byte[(int) Math.min(padding, BUFFER)];
        for (long left = padding; left > 0; left -= zeros.length) {
            crc.update(zeros, 0, (int) Math.min(left, zeros.length));
        }
        return new Checksum(length + padding, crc.getValue());
    }

    /**
     * Writes the part of {@code unit} in {@code variant}: {@code data[0..length)} then {@code padding}
     * zeros, through an attempt-unique temporary file.
     *
     * @param attempt names the task attempt in the temporary file
     */
    public Checksum writePart(int variant, int unit, String attempt, byte[] data, int length, long padding, WriteHook hook)
            throws IOException {
        Path target = part(variant, unit);
        Checksum sum = checksum(data, length, padding);
        fs.mkdirs(target.getParent());
        Path temporary = temporary(target, attempt);
        boolean renamed = false;
        try {
            try (FSDataOutputStream out = fs.create(temporary, false, BUFFER)) {
                out.write(data, 0, length / 2);
                hook.halfway(variant, unit);
                out.write(data, length / 2, length - length / 2);
                writeZeros(out, padding);
            }
            renamed = fs.rename(temporary, target);
            if (!renamed && !matches(target, sum)) {
                // a part that failed its check holds the name, and HDFS and S3A do not rename over a file
                fs.delete(target, false);
                renamed = fs.rename(temporary, target);
                if (!renamed && !matches(target, sum)) {
                    throw new IOException("cannot rename " + temporary + " to " + target);
                }
            }
        } finally {
            if (!renamed) {
                fs.delete(temporary, false);
            }
        }
        return sum;
    }

    /** Whether the part of {@code unit} in {@code variant} exists with this size and checksum (read in full). */
    public boolean verifyPart(int variant, int unit, Checksum expected) throws IOException {
        return matches(part(variant, unit), expected);
    }

    private boolean matches(Path file, Checksum expected) throws IOException {
        FileStatus status;
        try {
            status = fs.getFileStatus(file);
        } catch (FileNotFoundException e) {
            return false;
        }
        if (status.getLen() != expected.bytes()) {
            return false;
        }
        try (FSDataInputStream in = fs.open(file, BUFFER)) {
            return crc(in, expected.bytes()) == expected.crc32c();
        }
    }

    /** CRC-32C of the next {@code length} bytes of {@code in}. */
    static long crc(InputStream in, long length) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[(int) Math.min(BUFFER, Math.max(1, length))];
        for (long left = length; left > 0; ) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("file ends " + left + " bytes early");
            }
            crc.update(buf, 0, n);
            left -= n;
        }
        return crc.getValue();
    }

    /** Commits {@code record}: the unit's parts are all in place. */
    public void writeRecord(UnitRecord record) throws IOException {
        Path target = record(record.unit());
        fs.mkdirs(target.getParent());
        byte[] json = record.toJson();
        AtomicOutput.write(fs, target, out -> out.write(json));
    }

    /** The record of {@code unit}; empty when there is none or it is unreadable (the unit is then redone). */
    public Optional<UnitRecord> readRecord(int unit) throws IOException {
        Path file = record(unit);
        byte[] bytes;
        try {
            FileStatus status = fs.getFileStatus(file);
            if (status.getLen() > 1 << 20) {
                return Optional.empty();
            }
            bytes = new byte[(int) status.getLen()];
            try (FSDataInputStream in = fs.open(file)) {
                in.readFully(0, bytes);
            }
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(UnitRecord.fromJson(file.toString(), bytes));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Deletes the work directory: parts, records, stray temporaries. */
    public void deleteAll() throws IOException {
        fs.delete(work, true);
    }

    static Path temporary(Path target, String attempt) {
        return new Path(target.getParent(), "." + target.getName() + "." + attempt + "-" + UUID.randomUUID() + ".tmp");
    }

    static void writeZeros(OutputStream out, long count) throws IOException {
        byte[] zeros = new byte[(int) Math.min(count, BUFFER)];
        for (long left = count; left > 0; left -= zeros.length) {
            out.write(zeros, 0, (int) Math.min(left, zeros.length));
        }
    }
}
