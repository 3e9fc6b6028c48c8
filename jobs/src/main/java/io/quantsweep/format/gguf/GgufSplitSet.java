package io.quantsweep.format.gguf;

import io.quantsweep.format.gguf.GgufFormatException.Reason;
import io.quantsweep.io.Closeables;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model as llama.cpp opens it: one GGUF file, or the shards of a gguf-split set opened through the
 * first one (spec §7 "Loader expectations").
 *
 * <p>A file whose {@code split.count} is absent, 0 or 1 is a set of one. Otherwise the path must end
 * in {@code -00001-of-NNNNN.gguf} with NNNNN = {@code split.count}, and every shard must exist and
 * carry {@code split.no} = its index, the same {@code split.count} and the same
 * {@code split.tensors.count}, which must equal the number of tensors in all shards; tensor names
 * must be unique across shards. Disagreement is SPLIT_MISMATCH; a missing or mistyped key is
 * MISSING_KEY or WRONG_VALUE_TYPE.
 */
public final class GgufSplitSet implements Closeable {
    private static final Pattern FIRST_SHARD = Pattern.compile("(.+)-00001-of-(\\d{5})\\.gguf");

    private final List<GgufReader> shards;
    private final Map<String, GgufReader> byTensor;

    private GgufSplitSet(List<GgufReader> shards, Map<String, GgufReader> byTensor) {
        this.shards = List.copyOf(shards);
        this.byTensor = byTensor;
    }

    /** Opens {@code first} and, if it is the first shard of a set, the other shards. */
    public static GgufSplitSet open(Path first) throws IOException {
        return open(first, GgufReader.Limits.DEFAULT);
    }

    /** As {@link #open(Path)}, reading every shard under {@code limits}. */
    public static GgufSplitSet open(Path first, GgufReader.Limits limits) throws IOException {
        List<GgufReader> readers = new ArrayList<>();
        try {
            GgufReader head = GgufReader.open(first, limits);
            readers.add(head);
            int count = splitCount(head.header());
            if (count > 1) {
                Path prefix = prefixOf(first, count, head.name());
                for (int i = 1; i < count; i++) {
                    Path p = GgufSplit.shardPath(prefix, i, count);
                    if (!Files.exists(p)) {
                        throw mismatch(head.name(), "shard %d of %d (%s) is missing".formatted(i + 1, count, p));
                    }
                    readers.add(GgufReader.open(p, limits));
                }
                checkShards(readers, count);
            }
            return new GgufSplitSet(readers, index(readers));
        } catch (IOException | RuntimeException e) {
            for (GgufReader r : readers) {
                try {
                    r.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static int splitCount(GgufHeader h) throws GgufFormatException {
        return h.get(Gguf.KEY_SPLIT_COUNT).isEmpty() ? 1 : (int) h.requireInt(Gguf.KEY_SPLIT_COUNT, GgufValueType.UINT16);
    }

    private static Path prefixOf(Path first, int count, String name) throws GgufFormatException {
        Matcher m = FIRST_SHARD.matcher(first.getFileName().toString());
        if (!m.matches() || Integer.parseInt(m.group(2)) != count) {
            throw mismatch(name, "split.count is %d, so the file name must end in -00001-of-%05d.gguf".formatted(count, count));
        }
        return first.resolveSibling(m.group(1));
    }

    private static void checkShards(List<GgufReader> readers, int count) throws GgufFormatException {
        long total = readers.get(0).header().requireInt(Gguf.KEY_SPLIT_TENSORS_COUNT, GgufValueType.INT32);
        long seen = 0;
        for (int i = 0; i < readers.size(); i++) {
            GgufHeader h = readers.get(i).header();
            long no = h.requireInt(Gguf.KEY_SPLIT_NO, GgufValueType.UINT16);
            long n = h.requireInt(Gguf.KEY_SPLIT_COUNT, GgufValueType.UINT16);
            long t = h.requireInt(Gguf.KEY_SPLIT_TENSORS_COUNT, GgufValueType.INT32);
            if (no != i || n != count || t != total) {
                throw mismatch(h.source(), "has split.no %d, split.count %d, split.tensors.count %d; expected %d, %d, %d"
                        .formatted(no, n, t, i, count, total));
            }
            seen += h.tensors().size();
        }
        if (seen != total) {
            throw mismatch(readers.get(0).name(), "split.tensors.count is %d but the shards hold %d tensors".formatted(total, seen));
        }
    }

    private static Map<String, GgufReader> index(List<GgufReader> readers) throws GgufFormatException {
        Map<String, GgufReader> byTensor = new HashMap<>();
        for (GgufReader r : readers) {
            for (GgufTensorInfo t : r.header().tensors()) {
                GgufReader before = byTensor.putIfAbsent(t.name(), r);
                if (before != null) {
                    throw new GgufFormatException(Reason.DUPLICATE_TENSOR, r.name(), -1,
                            "tensor '%s' is also in %s".formatted(t.name(), before.name()));
                }
            }
        }
        return byTensor;
    }

    private static GgufFormatException mismatch(String source, String detail) {
        return new GgufFormatException(Reason.SPLIT_MISMATCH, source, -1, detail);
    }

    /** The shards in order (one for an unsplit file). */
    public List<GgufReader> shards() {
        return shards;
    }

    /** The model's KVs: those of the first shard. */
    public GgufMetadata metadata() {
        return shards.get(0).header().metadata();
    }

    /** All tensor infos, in shard order; offsets are relative to their own shard's data section. */
    public List<GgufTensorInfo> tensors() {
        List<GgufTensorInfo> all = new ArrayList<>();
        for (GgufReader r : shards) {
            all.addAll(r.header().tensors());
        }
        return all;
    }

    /** The shard holding tensor {@code name}. */
    public GgufReader shardOf(String name) {
        GgufReader r = byTensor.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no tensor '%s' in %s".formatted(name, shards.get(0).name()));
        }
        return r;
    }

    public byte[] readTensor(String name) throws IOException {
        return shardOf(name).readTensor(name);
    }

    @Override
    public void close() throws IOException {
        Closeables.closeAll(shards);
    }
}
