package io.quantsweep.eval.backend.embedded;

import io.quantsweep.eval.backend.Backend;
import io.quantsweep.eval.backend.BackendConfig;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.Capabilities;
import io.quantsweep.eval.backend.Capability;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Objects;

/**
 * llama.cpp inside the executor's JVM (a CPU build for Linux x86-64, see {@link LlamaNative}). It
 * does what llama-server's native API does: generates, chooses under a grammar, and gives top-K and
 * per-token log-probabilities. The model stays loaded for the JVM's lifetime, one per file, see
 * {@link EmbeddedEngine}.
 *
 * @param modelPath   a GGUF file on the executor's local disk (the first shard of a split model)
 * @param contextSize context length in tokens; 0 takes the model's training context ({@code <arch>.context_length})
 * @param threads     CPU threads; 0 takes every processor of the machine
 * @param cachePrompt reuse the cached prefix of the previous prompt: faster, but logits then depend
 *                    on the batch split and results can differ between runs
 * @param nativeLog   where llama.cpp's own log goes
 */
public record EmbeddedConfig(String modelPath, int contextSize, int threads, boolean cachePrompt, NativeLog nativeLog)
        implements BackendConfig {
    private static final long serialVersionUID = 1L;
    static final Capabilities CAPABILITIES = Capabilities.of(Capability.GENERATE, Capability.CHOOSE, Capability.TOP_K,
            Capability.TOKEN_LOGPROBS, Capability.RAW_PROMPT);

    /** llama.cpp's log: off, or onto the process's stderr (not Java's System.err). */
    public enum NativeLog {
        OFF, STDERR;

        /** The sweep file's name: {@code off} or {@code stderr}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The log of that name. */
        public static NativeLog parse(String id) {
            for (NativeLog l : values()) {
                if (l.id().equals(id)) {
                    return l;
                }
            }
            throw new IllegalArgumentException("unknown native log '" + id + "', one of off, stderr");
        }
    }

    public EmbeddedConfig {
        Objects.requireNonNull(modelPath, "modelPath");
        Objects.requireNonNull(nativeLog, "nativeLog");
        if (modelPath.isEmpty()) {
            throw new IllegalArgumentException("empty model path");
        }
        if (contextSize < 0 || threads < 0) {
            throw new IllegalArgumentException("contextSize and threads must be >= 0 (0 = default), not %d and %d"
                    .formatted(contextSize, threads));
        }
    }

    /** The model's own context size, every processor, no prompt cache, native log off. */
    public static EmbeddedConfig of(String modelPath) {
        return new EmbeddedConfig(modelPath, 0, 0, false, NativeLog.OFF);
    }

    public EmbeddedConfig withContextSize(int contextSize) {
        return new EmbeddedConfig(modelPath, contextSize, threads, cachePrompt, nativeLog);
    }

    public EmbeddedConfig withThreads(int threads) {
        return new EmbeddedConfig(modelPath, contextSize, threads, cachePrompt, nativeLog);
    }

    public EmbeddedConfig withCachePrompt(boolean cachePrompt) {
        return new EmbeddedConfig(modelPath, contextSize, threads, cachePrompt, nativeLog);
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public String describe() {
        return "embedded llama.cpp (" + modelPath + ")";
    }

    @Override
    public Backend open() throws BackendException {
        return new EmbeddedBackend(EmbeddedEngine.load(this));
    }

    /**
     * {@link EmbeddedEngine#preflight} of the model file, without loading it. A missing file passes: a variant
     * whose samples are all written needs none (its file may have been deleted to free the disk), and
     * one with samples to ask meets the missing file in its task.
     */
    @Override
    public void preflight() throws BackendException {
        if (Files.exists(EmbeddedEngine.path(this))) {
            EmbeddedEngine.preflight(this, EmbeddedEngine.build());
        }
    }
}
