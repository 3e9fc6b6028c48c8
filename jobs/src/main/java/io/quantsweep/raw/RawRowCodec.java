package io.quantsweep.raw;

import io.quantsweep.io.AtomicOutput;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Quantizes and decodes files of raw rows, the format of the golden vectors: row-major
 * little-endian float32 ({@code 4*cols} bytes a row) on one side, ggml's bytes
 * ({@code type.bytesFor(cols)} a row, no header, no padding) on the other.
 *
 * <p>Files are processed in slabs of {@code slabRows} whole rows, so memory does not grow with the
 * file; each slab goes through {@link Codecs}. The output is written through {@link AtomicOutput}.
 * Sizes are checked before anything is written, and a non-finite input value is refused with its
 * file, row, column and byte offset.
 *
 * @param slabRows rows read, converted and written at a time
 */
public record RawRowCodec(GgmlType type, int cols, int slabRows) {
    /** About this many bytes of float32 rows per slab. */
    private static final int SLAB_BYTES = 4 << 20;

    public RawRowCodec {
        Codecs.of(type); // refuses a type without a codec before any file is opened
        Codecs.checkRowLength(type, cols);
        if (slabRows <= 0) {
            throw new IllegalArgumentException("slabRows must be positive, got " + slabRows);
        }
    }

    /** Rows of {@code cols} values of {@code type}, in slabs of about {@value #SLAB_BYTES} input bytes. */
    public static RawRowCodec of(GgmlType type, int cols) {
        return new RawRowCodec(type, cols, cols > 0 ? Math.max(1, SLAB_BYTES / 4 / cols) : 1);
    }

    private long floatRowBytes() {
        return 4L * cols;
    }

    private long quantRowBytes() {
        return type.bytesFor(cols);
    }

    /** Reads an importance vector file: exactly one little-endian float32 per column. */
    public float[] readImportance(Path file) throws IOException {
        long size = Files.size(file);
        if (size != floatRowBytes()) {
            throw new IllegalArgumentException("%s: %d bytes, expected %d (one float32 weight for each of the %d columns)"
                    .formatted(file, size, floatRowBytes(), cols));
        }
        byte[] b = Files.readAllBytes(file);
        return LittleEndian.toFloats(b, 0, cols);
    }

    /**
     * Quantizes the float32 rows of {@code in} into {@code out}.
     *
     * @param importance {@code null} for ggml's reference quantizers, else one weight per column
     * @return the number of rows
     */
    public long quantize(Path in, float[] importance, Path out) throws IOException {
        try (FileChannel ch = FileChannel.open(in)) {
            long rows = wholeRows(in, ch.size(), floatRowBytes(), "float32 values");
            AtomicOutput.write(out, os -> {
                for (long first = 0; first < rows; first += slabRows) {
                    int n = (int) Math.min(slabRows, rows - first);
                    ByteBuffer slab = read(ch, in, first * floatRowBytes(), n * floatRowBytes());
                    os.write(Codecs.quantize(type, finiteFloats(slab, in, first), cols, importance));
                }
            });
            return rows;
        }
    }

    /**
     * Decodes the ggml rows of {@code in} into float32 rows in {@code out}.
     *
     * @return the number of rows
     */
    public long dequantize(Path in, Path out) throws IOException {
        try (FileChannel ch = FileChannel.open(in)) {
            long rows = wholeRows(in, ch.size(), quantRowBytes(), type + " values");
            AtomicOutput.write(out, os -> {
                for (long first = 0; first < rows; first += slabRows) {
                    int n = (int) Math.min(slabRows, rows - first);
                    ByteBuffer slab = read(ch, in, first * quantRowBytes(), n * quantRowBytes());
                    os.write(LittleEndian.toBytes(Codecs.dequantize(type, slab.array(), n * cols)));
                }
            });
            return rows;
        }
    }

    private long wholeRows(Path file, long size, long rowBytes, String what) {
        if (size % rowBytes != 0) {
            throw new IllegalArgumentException("%s: %d bytes are not whole rows of %d %s (%d bytes each): %d bytes left over"
                    .formatted(file, size, cols, what, rowBytes, size % rowBytes));
        }
        return size / rowBytes;
    }

    /** Exactly {@code length} bytes at {@code offset}; the size was checked, so a short read means the file shrank. */
    private static ByteBuffer read(FileChannel ch, Path file, long offset, long length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(length)).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (ch.read(buf, offset + buf.position()) < 0) {
                throw new EOFException("%s: ended at byte %d, expected %d bytes; did it change while being read?"
                        .formatted(file, offset + buf.position(), offset + length));
            }
        }
        return buf.flip();
    }

    /**
     * The slab's floats. Codecs also refuses non-finite values, but only knows the row within the
     * slab; here the file position is known.
     */
    private float[] finiteFloats(ByteBuffer slab, Path file, long firstRow) {
        float[] x = new float[slab.remaining() / 4];
        slab.asFloatBuffer().get(x);
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                long row = firstRow + i / cols;
                throw new IllegalArgumentException("%s: value %s at row %d, column %d (byte offset %d) is not finite"
                        .formatted(file, x[i], row, i % cols, (row * cols + i % cols) * 4));
            }
        }
        return x;
    }
}
