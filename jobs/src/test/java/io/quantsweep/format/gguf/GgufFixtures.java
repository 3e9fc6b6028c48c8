package io.quantsweep.format.gguf;

import io.quantsweep.quant.GgmlType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Seeded GGUF content for the tests: metadata with every value type, tensors of several types, their bytes. */
final class GgufFixtures {
    private GgufFixtures() {
    }

    /** A file under src/test/resources/gguf-samples. */
    static Path sample(String name) {
        URL url = GgufFixtures.class.getResource("/gguf-samples/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource gguf-samples/" + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every scalar type at its extremes, strings with multi-byte UTF-8, and arrays of every element type. */
    static GgufMetadata allTypesMetadata() {
        GgufMetadata md = new GgufMetadata();
        md.put("general.architecture", GgufValue.string("llama"));
        md.put("test.u8", GgufValue.u8(255));
        md.put("test.i8", GgufValue.i8(-128));
        md.put("test.u16", GgufValue.u16(65535));
        md.put("test.i16", GgufValue.i16(-32768));
        md.put("test.u32", GgufValue.u32(0xFFFF_FFFFL));
        md.put("test.i32", GgufValue.i32(Integer.MIN_VALUE));
        md.put("test.u64", GgufValue.u64(-1L));
        md.put("test.i64", GgufValue.i64(Long.MIN_VALUE));
        md.put("test.f32", GgufValue.f32(-0.0f));
        md.put("test.f32.small", GgufValue.f32(1e-5f));
        md.put("test.f64", GgufValue.f64(Math.PI));
        md.put("test.bool.true", GgufValue.bool(true));
        md.put("test.bool.false", GgufValue.bool(false));
        md.put("test.string", GgufValue.string("h\u00e9llo \u2603 \ud83d\ude42"));
        md.put("test.string.empty", GgufValue.string(""));
        md.put("test.arr.u8", GgufValue.intArray(GgufValueType.UINT8, 0, 1, 255));
        md.put("test.arr.i8", GgufValue.intArray(GgufValueType.INT8, -128, -1, 127));
        md.put("test.arr.u16", GgufValue.intArray(GgufValueType.UINT16, 0, 65535));
        md.put("test.arr.i16", GgufValue.intArray(GgufValueType.INT16, -32768, 32767));
        md.put("test.arr.u32", GgufValue.intArray(GgufValueType.UINT32, 0, 0xFFFF_FFFFL));
        md.put("test.arr.i32", GgufValue.intArray(GgufValueType.INT32, Integer.MIN_VALUE, -1, Integer.MAX_VALUE));
        md.put("test.arr.u64", GgufValue.intArray(GgufValueType.UINT64, 0, -1L));
        md.put("test.arr.i64", GgufValue.intArray(GgufValueType.INT64, Long.MIN_VALUE, Long.MAX_VALUE));
        md.put("test.arr.f32", GgufValue.f32Array(0f, -1.5f, Float.MAX_VALUE, Float.MIN_VALUE));
        md.put("test.arr.f64", GgufValue.f64Array(-0.0, 1e300));
        md.put("test.arr.bool", GgufValue.boolArray(true, false, true));
        md.put("test.arr.string", GgufValue.stringArray(List.of("<unk>", "", "\u00e9\u2603", "a b")));
        md.put("test.arr.empty", GgufValue.intArray(GgufValueType.INT32));
        md.put("test.arr.string.empty", GgufValue.stringArray(List.of()));
        return md;
    }

    /** Tensors of plain, 32-block and 256-block types; sizes that need padding; a trailing 1-sized dimension. */
    static List<GgufTensorSpec> seededSpecs() {
        return List.of(
                GgufTensorSpec.of("token_embd.weight", GgmlType.F32, 32, 3),
                GgufTensorSpec.of("blk.0.attn_q.weight", GgmlType.Q8_0, 64, 2),
                GgufTensorSpec.of("blk.0.ffn_down_exps.weight", GgmlType.Q4_K, 256, 2, 2),
                GgufTensorSpec.of("blk.0.attn_norm.weight", GgmlType.F16, 5),
                GgufTensorSpec.of("blk.0.ffn_gate_inp.weight", GgmlType.BF16, 7, 1),
                GgufTensorSpec.of("output.weight", GgmlType.Q6_K, 256, 1, 1, 3));
    }

    /** Deterministic bytes for {@code spec}, seeded by its name. */
    static byte[] seededBytes(GgufTensorSpec spec) {
        byte[] b = new byte[Math.toIntExact(spec.byteSize())];
        new Random(20250101L + spec.name().hashCode()).nextBytes(b);
        return b;
    }

    static Map<String, byte[]> seededData(List<GgufTensorSpec> specs) {
        Map<String, byte[]> data = new HashMap<>();
        for (GgufTensorSpec s : specs) {
            data.put(s.name(), seededBytes(s));
        }
        return data;
    }

    /** The whole file for {@code plan}, tensors from {@code data}, written through {@link GgufWriter#toStream}. */
    static byte[] write(GgufPlan plan, Map<String, byte[]> data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GgufWriter w = GgufWriter.toStream(out, plan)) {
            w.writeHeader();
            for (GgufTensorInfo t : plan.tensors()) {
                w.writeTensor(TensorData.of(data.get(t.name())));
            }
            w.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A small valid file: the all-types metadata and the seeded tensors. */
    static byte[] seededFile() {
        List<GgufTensorSpec> specs = seededSpecs();
        return write(GgufPlan.of(allTypesMetadata(), specs), seededData(specs));
    }

    static List<String> names(List<GgufTensorInfo> infos) {
        List<String> out = new ArrayList<>();
        for (GgufTensorInfo t : infos) {
            out.add(t.name());
        }
        return out;
    }
}
