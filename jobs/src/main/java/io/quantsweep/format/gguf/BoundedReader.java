package io.quantsweep.format.gguf;

import io.quantsweep.format.gguf.GgufFormatException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A little-endian cursor over a {@link ByteSource} that refuses to read, or to allocate for, anything
 * the source cannot hold: every read first checks the bytes remaining and the header budget, so a
 * lying length costs an exception, never memory.
 *
 * <p>Reads go through a small buffer filled by positional reads; {@code field} names what is being
 * read, for the exception message, and the exception offset is where that field starts.
 */
final class BoundedReader {
    private static final int BUFFER = 1 << 16;

    private final ByteSource source;
    private final long size;
    private final long budgetEnd;
    private final byte[] buf = new byte[BUFFER];
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private long bufStart;
    private int bufLen;
    private long pos;

    /** A reader at offset 0 that may read at most {@code budget} bytes before refusing with HEADER_TOO_LARGE. */
    BoundedReader(ByteSource source, long budget) throws IOException {
        this.source = source;
        this.size = source.size();
        this.budgetEnd = budget;
    }

    long position() {
        return pos;
    }

    long size() {
        return size;
    }

    long remaining() {
        return size - pos;
    }

    GgufFormatException error(Reason reason, long offset, String detail) {
        return new GgufFormatException(reason, source.name(), offset, detail);
    }

    /** Checks that {@code n} more bytes exist and fit the header budget, before anything reads or allocates them. */
    void require(long n, String field) throws GgufFormatException {
        if (n < 0 || n > remaining()) {
            throw error(Reason.TRUNCATED, pos, "%s needs %s bytes but only %d remain"
                    .formatted(field, n < 0 ? Long.toUnsignedString(n) : Long.toString(n), remaining()));
        }
        if (pos + n > budgetEnd) {
            throw error(Reason.HEADER_TOO_LARGE, pos, "%s (%d bytes) would take the header past the limit of %d bytes"
                    .formatted(field, n, budgetEnd));
        }
    }

    /** Copies {@code len} bytes at the cursor into {@code dst}; the caller has called {@link #require}. */
    private void copy(byte[] dst, int off, int len) throws IOException {
        while (len > 0) {
            if (pos < bufStart || pos >= bufStart + bufLen) {
                if (len >= BUFFER) {
                    source.readFully(pos, dst, off, len);
                    pos += len;
                    return;
                }
                bufStart = pos;
                bufLen = (int) Math.min(BUFFER, size - pos);
                source.readFully(bufStart, buf, 0, bufLen);
            }
            int at = (int) (pos - bufStart);
            int n = Math.min(len, bufLen - at);
            System.arraycopy(buf, at, dst, off, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    /** {@code n} little-endian bytes as a long (n ≤ 8), zero-extended. */
    private long fixed(int n, String field) throws IOException {
        require(n, field);
        long v = 0;
        if (pos >= bufStart && pos + n <= bufStart + bufLen) {
            int at = (int) (pos - bufStart);
            for (int i = n - 1; i >= 0; i--) {
                v = (v << 8) | (buf[at + i] & 0xFF);
            }
            pos += n;
            return v;
        }
        byte[] b = new byte[n];
        copy(b, 0, n);
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    int u8(String field) throws IOException {
        return (int) fixed(1, field);
    }

    int u16(String field) throws IOException {
        return (int) fixed(2, field);
    }

    int i32(String field) throws IOException {
        return (int) fixed(4, field);
    }

    long u32(String field) throws IOException {
        return fixed(4, field);
    }

    /** An i64, or a u64 as its raw bits. */
    long i64(String field) throws IOException {
        return fixed(8, field);
    }

    /** Little-endian fixed-size value of {@code size} bytes (1, 2, 4 or 8), sign-extended where {@code signed}. */
    long scalar(int size, boolean signed, String field) throws IOException {
        long v = fixed(size, field);
        if (signed && size < 8) {
            int shift = 64 - 8 * size;
            v = (v << shift) >> shift;
        }
        return v;
    }

    /** {@code n} raw bytes, after the remaining-bytes and budget checks. */
    byte[] bytes(long n, String field) throws IOException {
        require(n, field);
        byte[] out = new byte[(int) n];
        copy(out, 0, (int) n);
        return out;
    }

    /**
     * A GGUF string (u64 length, then UTF-8 bytes), refused when its length exceeds {@code maxBytes},
     * the remaining bytes or the budget, or when it is not well-formed UTF-8.
     */
    String string(long maxBytes, String field) throws IOException {
        long start = pos;
        long len = i64(field + " length");
        if (len < 0 || len > maxBytes) {
            throw error(Reason.STRING_TOO_LONG, start, "%s has length %s, above the limit of %d bytes"
                    .formatted(field, Long.toUnsignedString(len), maxBytes));
        }
        byte[] b = bytes(len, field);
        if (isAscii(b)) {
            return new String(b, StandardCharsets.ISO_8859_1);
        }
        try {
            return utf8.decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw error(Reason.BAD_UTF8, start, field + " is not well-formed UTF-8");
        }
    }

    private static boolean isAscii(byte[] b) {
        for (byte x : b) {
            if (x < 0) {
                return false;
            }
        }
        return true;
    }
}
