package io.quantsweep.format.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A GGUF file written field by field, independently of {@link HeaderEncoder}, so that tests can
 * break any field. The defaults are a valid file: two KVs (a string and an INT32 array) and two F32
 * tensors, {@code a} [8] at 0 and {@code b} [4, 2] at 32, alignment 32, 64 data bytes.
 */
final class Handcrafted {
    static final int F32 = 0;

    byte[] magic = "GGUF".getBytes(StandardCharsets.US_ASCII);
    long version = 3;
    Long nTensors;
    Long nKv;
    final List<Consumer<Raw>> kvs = new ArrayList<>(List.of(
            kv("general.architecture", 8, r -> r.str("llama")),
            kv("test.ids", 9, r -> r.i32(5).u64(3).i32(1).i32(2).i32(3))));
    final List<Info> tensors = new ArrayList<>(List.of(
            new Info("a", new long[] {8}, F32, 0),
            new Info("b", new long[] {4, 2}, F32, 32)));
    int alignment = 32;
    int dataBytes = 64;

    /** A tensor-info record; fields are public so that cases can break them. */
    static final class Info {
        byte[] name;
        long nDims;
        long[] ne;
        int type;
        long offset;

        Info(String name, long[] ne, int type, long offset) {
            this.name = name.getBytes(StandardCharsets.UTF_8);
            this.nDims = ne.length;
            this.ne = ne;
            this.type = type;
            this.offset = offset;
        }
    }

    /** A KV with a UTF-8 key, a value type id and a value writer. */
    static Consumer<Raw> kv(String key, int type, Consumer<Raw> value) {
        return kv(key.getBytes(StandardCharsets.UTF_8), type, value);
    }

    static Consumer<Raw> kv(byte[] key, int type, Consumer<Raw> value) {
        return r -> {
            r.u64(key.length).bytes(key).i32(type);
            value.accept(r);
        };
    }

    byte[] bytes() {
        Raw r = new Raw();
        r.bytes(magic).i32((int) version);
        r.u64(nTensors != null ? nTensors : tensors.size());
        r.u64(nKv != null ? nKv : kvs.size());
        kvs.forEach(kv -> kv.accept(r));
        for (Info t : tensors) {
            r.u64(t.name.length).bytes(t.name).i32((int) t.nDims);
            for (long d : t.ne) {
                r.u64(d);
            }
            r.i32(t.type).u64(t.offset);
        }
        while (r.size() % alignment != 0) {
            r.bytes(new byte[1]);
        }
        return r.bytes(new byte[dataBytes]).toBytes();
    }

    /** Little-endian field writer. */
    static final class Raw {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Raw fixed(long v, int n) {
            for (int i = 0; i < n; i++) {
                out.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        Raw u8(int v) {
            return fixed(v, 1);
        }

        Raw i32(int v) {
            return fixed(v, 4);
        }

        Raw u64(long v) {
            return fixed(v, 8);
        }

        Raw bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Raw str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return u64(b.length).bytes(b);
        }

        int size() {
            return out.size();
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }
}
