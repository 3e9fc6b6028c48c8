package io.quantsweep.eval.backend.embedded;

import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.BackendException.Reason;
import io.quantsweep.format.gguf.GgufFormatException;
import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufReader;
import io.quantsweep.format.gguf.GgufSplitSet;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.plan.KvCache;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Checks a GGUF file's metadata, before it reaches the native loader, against what the embedded
 * llama.cpp needs, and refuses with the reason and the fix where llama.cpp would fail with only
 * "could not load model", or load it and compute something else: a {@code deepseek2} model needs a
 * pre-tokenizer llama.cpp knows ({@code deepseek-v3} for DeepSeek-V3); without one it falls back to the
 * default pre-tokenizer and splits text differently. Then its memory: weights and KV cache at the
 * variant's context against the machine's.
 *
 * <p>Only headers are read: of the given file, and for a gguf-split set of every shard, which must be
 * there and agree (llama.cpp's loader otherwise says only that it could not load the model).
 */
final class GgufPreflight {
    /** The {@code ServerInfo} details key of the warning that weights and KV cache exceed the machine's memory. */
    static final String MEMORY = "memory";
    private static final Set<String> DEEPSEEK_PRE_TOKENIZERS = Set.of("deepseek-llm", "deepseek-coder", "deepseek-v3");

    /**
     * What the preflight found in an accepted file.
     *
     * @param name     the file's {@code general.name}, or its file name when it has none
     * @param bytes    the file's size (all shards', for a set)
     * @param identity what tells this model file from another at the same path, the same in every copy:
     *                 its size and the start of its {@link GgufReader#fingerprint} (each shard's, for a set)
     * @param trainedContext  the model's {@code <arch>.context_length}, the context llama.cpp gives it for a
     *                        context size of 0
     * @param kvBytesPerToken what one token of context adds to the KV cache this build allocates, 0 where the
     *                        file does not say (per-layer head counts)
     * @param warnings what the model will run with anyway, by details key (e.g. {@value #MEMORY}), sorted
     */
    record Accepted(String name, long bytes, String identity, int trainedContext, long kvBytesPerToken,
            SortedMap<String, String> warnings) {
        Accepted {
            warnings = new TreeMap<>(warnings);
        }

        Accepted withWarning(String key, String warning) {
            SortedMap<String, String> more = new TreeMap<>(warnings);
            more.put(key, warning);
            return new Accepted(name, bytes, identity, trainedContext, kvBytesPerToken, more);
        }

        /**
         * The context llama.cpp runs this model with for a configured {@code contextSize} (0: the model's own):
         * it rounds it up to a multiple of {@value #CONTEXT_PADDING} (a context size of 1000 gets 1024).
         */
        int context(int contextSize) {
            long wanted = contextSize > 0 ? contextSize : trainedContext;
            return (int) Math.min(Integer.MAX_VALUE, (wanted + CONTEXT_PADDING - 1) / CONTEXT_PADDING * CONTEXT_PADDING);
        }
    }

    /** What llama.cpp rounds a context up to. */
    static final int CONTEXT_PADDING = 256;

    private GgufPreflight() {
    }

    /**
     * @param build the engine build, named in refusals and warnings
     */
    static Accepted check(Path file, String build) throws BackendException {
        GgufMetadata header;
        String identity;
        long bytes = 0;
        try (GgufSplitSet model = GgufSplitSet.open(file)) {
            header = model.metadata();
            List<String> fingerprints = new ArrayList<>();
            for (GgufReader shard : model.shards()) {
                bytes += shard.header().fileSize();
                fingerprints.add(shard.fingerprint().substring(0, 16));
            }
            identity = "%d bytes, sha256 %s".formatted(bytes, String.join(",", fingerprints));
        } catch (GgufFormatException e) {
            throw e.reason() == GgufFormatException.Reason.SPLIT_MISMATCH
                    ? refuse(file, build, "its gguf-split set is not whole: " + e.getMessage(),
                            "name the first shard (-00001-of-N.gguf), with all N shards of one set beside it", e)
                    : refuse(file, build, "it is not a valid GGUF file: " + e.getMessage(), "check or re-convert the file", e);
        } catch (NoSuchFileException e) {
            throw new BackendException(Reason.UNSUPPORTED_MODEL, "cannot read model " + file + ": no such file", e);
        } catch (IOException e) {
            throw new BackendException(Reason.UNSUPPORTED_MODEL, "cannot read model " + file + ": " + e, e);
        }
        String arch = string(header, "general.architecture").orElseThrow(() -> refuse(file, build,
                "it has no general.architecture", "convert it with a GGUF converter that writes one", null));
        long trainedContext = integer(header, arch + ".context_length").orElseThrow(() -> refuse(file, build,
                "it has no " + arch + ".context_length, which llama.cpp needs to load it",
                "convert it with a GGUF converter that writes one", null));
        if (trainedContext < 1 || trainedContext > Integer.MAX_VALUE) {
            throw refuse(file, build, "its %s.context_length %d is no context llama.cpp can give it".formatted(arch,
                    trainedContext), "write the context the model was trained for", null);
        }
        if (arch.equals("deepseek2")) {
            checkPreTokenizer(file, build, header);
        }
        return new Accepted(string(header, "general.name").orElse(file.getFileName().toString()), bytes,
                identity, Math.toIntExact(trainedContext), kvBytesPerToken(header, arch), new TreeMap<>());
    }

    /**
     * The KV cache bytes per token of context that llama.cpp allocates for a model: f16 keys and values
     * of every KV head in every layer ({@code head_count_kv × (key_length + value_length) × 2}). A file in
     * the split MLA layout (with {@code key_length_mla} and {@code value_length_mla}) gets the compressed
     * cache, whose one KV head's key is the latent and the rope key and whose values are a view of the
     * keys: {@code 1 × (512 + 64)} values per layer for DeepSeek-V3, against 128 × (192 + 128) for a
     * legacy file. A sliding-window cache is smaller than this. 0 where the file gives per-layer head
     * counts, or none (a model without attention).
     */
    static long kvBytesPerToken(GgufMetadata header, String arch) {
        String attention = arch + ".attention.";
        if (Stream.of("head_count", "head_count_kv").flatMap(k -> header.get(attention + k).stream())
                .anyMatch(v -> v instanceof GgufValue.Array)) {
            return 0;
        }
        long layers = integer(header, arch + ".block_count").orElse(0L);
        long heads = integer(header, attention + "head_count").orElse(0L);
        if (heads == 0) {
            return 0;
        }
        long kvHeads = integer(header, attention + "head_count_kv").orElse(heads);
        long headSize = integer(header, arch + ".embedding_length").orElse(0L) / heads;
        long key = integer(header, attention + "key_length").orElse(headSize);
        boolean mla = header.contains(attention + "key_length_mla") && header.contains(attention + "value_length_mla");
        long value = mla ? 0 : integer(header, attention + "value_length").orElse(headSize);
        return layers * kvHeads * (key + value) * KvCache.F16_BYTES;
    }

    /**
     * What running {@code model} with a configured {@code contextSize} asks of this machine's memory
     * ({@code memory} bytes, a container's limit where it has one; 0 where unknown). A KV cache larger
     * than the memory is refused: llama.cpp allocates and clears it whole as it loads the model, which
     * fails with only "could not load model", or gets the executor killed. Weights and cache together larger than the memory give a warning: llama.cpp maps the
     * weights from the file and runs anyway, reading them from disk again for every token, so a sweep
     * over it would take days and its latencies would measure the disk.
     *
     * @return the warning, else empty
     */
    static Optional<String> memory(Path file, String build, Accepted model, int contextSize, long memory)
            throws BackendException {
        int context = model.context(contextSize);
        long cache = Math.multiplyExact(model.kvBytesPerToken(), (long) context);
        if (memory <= 0 || model.bytes() + cache <= memory) {
            return Optional.empty();
        }
        if (cache > memory) {
            throw new BackendException(Reason.BAD_CONFIG, String.format(Locale.ROOT, "embedded llama.cpp %s cannot run "
                    + "%s: its KV cache at %s %,d tokens (%.1f GiB, f16) exceeds this machine's memory (%.1f GiB). "
                    + "Fix: give the variant a context-size of at most %,d tokens (%,d to keep the weights in memory too), "
                    + "multiples of the %d llama.cpp rounds a context to",
                    build, file, contextSize == 0 ? "the model's own context of" : "a context of", context, gib(cache),
                    gib(memory), fitting(memory, model), fitting(Math.max(0, memory - model.bytes()), model),
                    CONTEXT_PADDING));
        }
        return Optional.of(String.format(Locale.ROOT, "the weights (%.1f GiB) and the KV cache at %,d tokens (%.1f GiB) "
                + "exceed this machine's memory (%.1f GiB): llama.cpp reads the weights from disk for every token; give "
                + "the executor a machine with more memory or the variant a smaller context-size, or serve the model with "
                + "llama-server", gib(model.bytes()), context, gib(cache), gib(memory)));
    }

    /** The largest context whose cache fits {@code bytes}, as llama.cpp rounds contexts. */
    private static long fitting(long bytes, Accepted model) {
        return bytes / model.kvBytesPerToken() / CONTEXT_PADDING * CONTEXT_PADDING;
    }

    private static double gib(long bytes) {
        return bytes / (double) (1L << 30);
    }

    private static void checkPreTokenizer(Path file, String build, GgufMetadata header) throws BackendException {
        Optional<String> pre = string(header, "tokenizer.ggml.pre");
        if (pre.isEmpty() || !DEEPSEEK_PRE_TOKENIZERS.contains(pre.get())) {
            throw refuse(file, build, pre.map(p -> "pre-tokenizer '" + p + "' is unknown to this build")
                            .orElse("it has no tokenizer.ggml.pre, so this build would use the default pre-tokenizer"),
                    "write tokenizer.ggml.pre = deepseek-v3 (the DeepSeek-V3 pre-tokenizer)", null);
        }
    }

    private static Optional<String> string(GgufMetadata header, String key) {
        return header.get(key).filter(v -> v instanceof GgufValue.Str).map(GgufValue::asString);
    }

    private static Optional<Long> integer(GgufMetadata header, String key) {
        return header.get(key).filter(v -> v instanceof GgufValue.Int).map(GgufValue::asLong);
    }

    private static BackendException refuse(Path file, String build, String why, String fix, Exception cause) {
        String message = "embedded llama.cpp %s cannot run %s: %s. Fix: %s".formatted(build, file, why, fix);
        return cause == null ? new BackendException(Reason.UNSUPPORTED_MODEL, message)
                : new BackendException(Reason.UNSUPPORTED_MODEL, message, cause);
    }
}
