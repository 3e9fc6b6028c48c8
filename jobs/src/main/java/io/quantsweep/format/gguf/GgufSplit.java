package io.quantsweep.format.gguf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits a model into shards as llama.cpp's {@code llama-gguf-split --split} does (spec §7), so that
 * llama.cpp loads them as one model.
 *
 * <ul>
 *   <li>Names: {@code PREFIX-00001-of-0000N.gguf}, 1-based, five digits ({@link #shardPath}).
 *   <li>Every shard is a GGUF with alignment 32 whose KVs end with {@code split.no} (u16, 0-based),
 *       {@code split.tensors.count} (i32, total tensors) and {@code split.count} (u16, shards); only
 *       the first shard also carries the model's KVs, before those three, in input order.
 *   <li>Tensors are taken in input order; a new shard starts when the current one already holds
 *       {@link Limit#maxTensors} tensors, or when adding the tensor's 32-padded bytes would exceed
 *       {@link Limit#maxBytes} (metadata is not counted). A shard closed with no tensors is an error,
 *       as upstream. With {@link Options#metadataOnlyFirstShard()} the first shard holds no tensors.
 * </ul>
 */
public final class GgufSplit {

    /** gguf-split always writes ggml's default alignment, whatever the input had. */
    private static final long SHARD_ALIGNMENT = Gguf.DEFAULT_ALIGNMENT;

    private GgufSplit() {
    }

    /** A per-shard limit: a tensor count ({@code --split-max-tensors}) or padded tensor bytes ({@code --split-max-size}). */
    public record Limit(Mode mode, long value) {
        public enum Mode { TENSORS, BYTES }

        /** gguf-split's default: 128 tensors per shard. */
        public static final Limit DEFAULT = maxTensors(128);

        public Limit {
            Objects.requireNonNull(mode, "mode");
            if (value < 1) {
                throw new IllegalArgumentException("split limit must be positive, not " + value);
            }
        }

        public static Limit maxTensors(long n) {
            return new Limit(Mode.TENSORS, n);
        }

        public static Limit maxBytes(long n) {
            return new Limit(Mode.BYTES, n);
        }

        /** Parses {@code --split-max-size}: a whole number with suffix M (10^6 bytes) or G (10^9 bytes), upper case as upstream. */
        public static Limit parseSize(String text) {
            String s = text.trim();
            long unit = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
                case 'M' -> 1_000_000L;
                case 'G' -> 1_000_000_000L;
                default -> throw new IllegalArgumentException("split size '" + text + "' must end in M or G");
            };
            try {
                return maxBytes(Math.multiplyExact(Long.parseLong(s.substring(0, s.length() - 1)), unit));
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("split size '" + text + "' is not a number of M or G", e);
            }
        }
    }

    /**
     * @param limit                  when to start a new shard
     * @param metadataOnlyFirstShard {@code --no-tensor-first-split}: shard 1 holds only the KVs
     */
    public record Options(Limit limit, boolean metadataOnlyFirstShard) {
        public static final Options DEFAULT = new Options(Limit.DEFAULT, false);

        public Options {
            Objects.requireNonNull(limit, "limit");
        }
    }

    /** {@code prefix-%05d-of-%05d.gguf} for the 0-based shard {@code index} of {@code count}, as llama_split_path. */
    public static Path shardPath(Path prefix, int index, int count) {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("shard %d of %d".formatted(index, count));
        }
        return prefix.resolveSibling("%s-%05d-of-%05d.gguf".formatted(prefix.getFileName(), index + 1, count));
    }

    /** Assigns tensors to shards (the first may be empty only with {@code metadataOnlyFirstShard}). */
    public static List<List<GgufTensorSpec>> distribute(List<GgufTensorSpec> tensors, Options options) {
        List<List<GgufTensorSpec>> shards = new ArrayList<>();
        shards.add(new ArrayList<>());
        if (options.metadataOnlyFirstShard()) {
            shards.add(new ArrayList<>());
        }
        Limit limit = options.limit();
        long current = 0;
        for (int i = 0; i < tensors.size(); i++) {
            GgufTensorSpec t = tensors.get(i);
            long n = Gguf.pad(t.byteSize(), SHARD_ALIGNMENT);
            boolean split = limit.mode() == Limit.Mode.BYTES ? current + n > limit.value() : i > 0 && i % limit.value() == 0;
            if (split) {
                if (shards.get(shards.size() - 1).isEmpty()) {
                    throw new IllegalArgumentException("tensor '%s' (%d bytes padded) does not fit a shard of at most %d bytes"
                            .formatted(t.name(), n, limit.value()));
                }
                shards.add(new ArrayList<>());
                current = n;
            } else {
                current += n;
            }
            shards.get(shards.size() - 1).add(t);
        }
        return shards;
    }

    /**
     * The plans of every shard, in shard order. The input's alignment must be 32 (or absent), since
     * shards are always aligned to 32.
     */
    public static List<GgufPlan> plan(GgufMetadata metadata, List<GgufTensorSpec> tensors, Options options) {
        GgufValue alignment = metadata.get(Gguf.KEY_ALIGNMENT).orElse(null);
        if (alignment != null && !alignment.equals(GgufValue.u32(SHARD_ALIGNMENT))) {
            throw new IllegalArgumentException("gguf-split writes alignment 32; the input has %s = %s %s"
                    .formatted(Gguf.KEY_ALIGNMENT, alignment.type(), alignment));
        }
        List<List<GgufTensorSpec>> shards = distribute(tensors, options);
        if (shards.size() > 0xFFFF) {
            throw new IllegalArgumentException("%d shards do not fit split.count (u16)".formatted(shards.size()));
        }
        List<GgufPlan> plans = new ArrayList<>(shards.size());
        for (int i = 0; i < shards.size(); i++) {
            GgufMetadata md = i == 0 ? new GgufMetadata(metadata) : new GgufMetadata();
            md.put(Gguf.KEY_SPLIT_NO, GgufValue.u16(i));
            md.put(Gguf.KEY_SPLIT_TENSORS_COUNT, GgufValue.i32(tensors.size()));
            md.put(Gguf.KEY_SPLIT_COUNT, GgufValue.u16(shards.size()));
            plans.add(GgufPlan.of(md, shards.get(i)));
        }
        return plans;
    }

    /**
     * Splits the file {@code input} into shards named after {@code prefix}, copying tensor bytes
     * through positional reads; each shard is written atomically. Returns the shard paths.
     */
    public static List<Path> split(GgufReader input, Path prefix, Options options) throws IOException {
        GgufHeader header = input.header();
        List<GgufTensorSpec> specs = header.tensors().stream().map(GgufTensorInfo::spec).toList();
        List<GgufPlan> plans = plan(header.metadata(), specs, options);
        List<Path> paths = new ArrayList<>(plans.size());
        for (int i = 0; i < plans.size(); i++) {
            Path path = shardPath(prefix, i, plans.size());
            GgufWriter.write(path, plans.get(i), t -> input.tensorData(input.tensor(t.name())));
            paths.add(path);
        }
        return paths;
    }
}
