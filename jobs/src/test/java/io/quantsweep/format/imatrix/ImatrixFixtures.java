package io.quantsweep.format.imatrix;

import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufPlan;
import io.quantsweep.format.gguf.GgufTensorSpec;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.gguf.GgufWriter;
import io.quantsweep.format.gguf.TensorData;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Seeded imatrix data shaped like DeepSeek-V3's entries, and hand-made files of both formats. */
final class ImatrixFixtures {
    static final String DOWN_EXPS = "blk.3.ffn_down_exps.weight";
    static final String K_B = "blk.3.attn_k_b.weight";
    static final String Q_A = "blk.3.attn_q_a.weight";
    static final int EXPERTS = 4;
    static final int DOWN_NE0 = 256;
    static final int HEADS = 3;
    static final int K_B_NE0 = 32;
    static final int Q_A_NE0 = 256;
    /** Tokens per expert: expert 1 is never routed to. With chunk size 512 every ncall is 2, so .dat scaling is exact. */
    static final float[] DOWN_COUNTS = {1000, 0, 700, 24};
    static final long CHUNK_SIZE = 512;

    private ImatrixFixtures() {
    }

    static float[] sums(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) (r.nextDouble() * 50);
        }
        return s;
    }

    /** An expert entry with one idle expert, a 3-D dense attn_k_b (one count for all heads), and a plain 2-D entry. */
    static ImatrixData sample() {
        return new ImatrixData(List.of("calibration_datav3.txt"), 2, CHUNK_SIZE, List.of(
                new ImatrixData.Entry(DOWN_EXPS, sums(EXPERTS * DOWN_NE0, 1), DOWN_COUNTS),
                new ImatrixData.Entry(K_B, sums(HEADS * K_B_NE0, 2), new float[] {700}),
                new ImatrixData.Entry(Q_A, sums(Q_A_NE0, 3), new float[] {1000})));
    }

    /** Little-endian bytes built field by field, for hand-made .dat files. */
    static final class Dat {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Dat i32(int v) {
            byte[] b = new byte[4];
            LittleEndian.putInt(b, 0, v);
            out.writeBytes(b);
            return this;
        }

        Dat f32(float... values) {
            out.writeBytes(LittleEndian.toBytes(values));
            return this;
        }

        Dat raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        /** An i32 length and the UTF-8 bytes of {@code s}. */
        Dat str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return i32(b.length).raw(b);
        }

        /** A whole entry. */
        Dat entry(String name, int ncall, float... values) {
            return str(name).i32(ncall).i32(values.length).f32(values);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** A GGUF file to take apart: KVs and tensors of any type (values given as raw bytes), in order. */
    static final class Gguf {
        final GgufMetadata md = new GgufMetadata()
                .put("general.type", GgufValue.string("imatrix"))
                .put("imatrix.datasets", GgufValue.stringArray(List.of("d.txt")))
                .put("imatrix.chunk_count", GgufValue.u32(3))
                .put("imatrix.chunk_size", GgufValue.u32(512));
        final Map<GgufTensorSpec, byte[]> tensors = new LinkedHashMap<>();

        Gguf f32(String name, float[] values, long... ne) {
            tensors.put(GgufTensorSpec.of(name, GgmlType.F32, ne), LittleEndian.toBytes(values));
            return this;
        }

        Gguf tensor(String name, GgmlType type, long... ne) {
            GgufTensorSpec spec = GgufTensorSpec.of(name, type, ne);
            tensors.put(spec, new byte[(int) spec.byteSize()]);
            return this;
        }

        /** A well-formed entry of {@code nmat} matrices of 4 columns, all counts 10. */
        Gguf entry(String name, int nmat) {
            float[] counts = new float[nmat];
            Arrays.fill(counts, 10);
            return f32(name + ".in_sum2", sums(4 * nmat, name.length()), 4, nmat).f32(name + ".counts", counts, 1, nmat);
        }

        Path write(Path file) throws IOException {
            List<GgufTensorSpec> specs = new ArrayList<>(tensors.keySet());
            GgufWriter.write(file, GgufPlan.of(md, specs), t -> TensorData.of(tensors.get(t.spec())));
            return file;
        }
    }
}
