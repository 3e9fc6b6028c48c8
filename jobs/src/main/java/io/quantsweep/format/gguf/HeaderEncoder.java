package io.quantsweep.format.gguf;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Serializes a GGUF header in spec order (§1.1): magic, version, counts, KVs, tensor infos, then zero
 * padding to the alignment. The result is exactly the bytes before the data section.
 */
final class HeaderEncoder {
    private static final int MAX_BYTES = Integer.MAX_VALUE - 8;

    private final CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] buf = new byte[4096];
    private int len;

    private HeaderEncoder() {
    }

    static byte[] encode(GgufMetadata metadata, List<GgufTensorInfo> tensors, long alignment) {
        HeaderEncoder e = new HeaderEncoder();
        e.u32(Gguf.MAGIC);
        e.u32(Gguf.VERSION);
        e.i64(tensors.size());
        e.i64(metadata.size());
        for (Map.Entry<String, GgufValue> kv : metadata.asMap().entrySet()) {
            e.string(kv.getKey(), kv.getKey());
            e.u32(kv.getValue().type().id());
            e.value(kv.getValue(), kv.getKey());
        }
        for (GgufTensorInfo t : tensors) {
            long[] ne = t.spec().writtenNe();
            e.string(t.name(), t.name());
            e.u32(ne.length);
            for (long d : ne) {
                e.i64(d);
            }
            e.u32(t.type().id());
            e.i64(t.offset());
        }
        long padded = Gguf.pad(e.len, alignment);
        if (padded > MAX_BYTES) {
            throw new IllegalArgumentException("GGUF header of %d bytes is too large".formatted(padded));
        }
        e.ensure((int) (padded - e.len));
        e.len = (int) padded;
        return Arrays.copyOf(e.buf, e.len);
    }

    private void value(GgufValue v, String key) {
        if (v instanceof GgufValue.Int i) {
            fixed(i.value(), i.type().size());
        } else if (v instanceof GgufValue.F32 f) {
            u32(Float.floatToRawIntBits(f.value()));
        } else if (v instanceof GgufValue.F64 d) {
            i64(Double.doubleToRawLongBits(d.value()));
        } else if (v instanceof GgufValue.Bool b) {
            fixed(b.value() ? 1 : 0, 1);
        } else if (v instanceof GgufValue.Str s) {
            string(s.value(), key);
        } else if (v instanceof GgufValue.NumArray a) {
            u32(a.elementType().id());
            i64(a.length());
            bytes(a.raw());
        } else if (v instanceof GgufValue.StrArray a) {
            u32(GgufValueType.STRING.id());
            i64(a.length());
            for (String s : a.values()) {
                string(s, key);
            }
        } else {
            throw new IllegalStateException("unhandled GGUF value " + v.getClass());
        }
    }

    private void ensure(int n) {
        if (n > MAX_BYTES - len) {
            throw new IllegalArgumentException("GGUF header exceeds %d bytes".formatted(MAX_BYTES));
        }
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(MAX_BYTES, Math.max(len + n, 2L * buf.length)));
        }
    }

    private void fixed(long v, int size) {
        ensure(size);
        for (int b = 0; b < size; b++) {
            buf[len++] = (byte) (v >>> (8 * b));
        }
    }

    private void u32(long v) {
        fixed(v, 4);
    }

    private void i64(long v) {
        fixed(v, 8);
    }

    private void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    /** u64 byte length then UTF-8; refuses strings that are not valid Unicode rather than write '?'. */
    private void string(String s, String key) {
        ByteBuffer encoded;
        try {
            encoded = utf8.encode(CharBuffer.wrap(s));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("'%s': a string is not valid Unicode (unpaired surrogate)".formatted(key), e);
        }
        int n = encoded.remaining();
        i64(n);
        ensure(n);
        encoded.get(buf, len, n);
        len += n;
    }
}
