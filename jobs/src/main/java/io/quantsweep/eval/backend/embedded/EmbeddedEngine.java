package io.quantsweep.eval.backend.embedded;

import com.sun.management.OperatingSystemMXBean;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.BackendException.Reason;
import io.quantsweep.eval.backend.ServerInfo;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-JVM side of the embedded backend: llama.cpp's libraries ({@link LlamaNative}), and one loaded
 * model per file for the JVM's lifetime, with one context ({@link LlamaSlot}). Loading is the expensive
 * part (a whole GGUF), so the tasks of an executor share the model, and it stays until the JVM exits.
 */
final class EmbeddedEngine {
    static final String BACKEND = "embedded-llama.cpp";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedEngine.class);

    /**
     * One request at a time in this JVM, whichever model it asks: each model runs llama.cpp's threads on
     * every core it was given, so two at once would oversubscribe them; and a model's one context holds one
     * prompt at a time.
     */
    static final ReentrantLock INFERENCE = new ReentrantLock(true);

    /** Loaded models by absolute path; guarded by the class lock. */
    private static final Map<Path, Loaded> MODELS = new HashMap<>();

    /** A model loaded with {@code config}, its context, and what produced it. */
    record Loaded(EmbeddedConfig config, LlamaSlot slot, ServerInfo info) {
    }

    private EmbeddedEngine() {
    }

    /** The llama.cpp build of the loaded libraries, e.g. {@code v0.5.0-de3ff81}. */
    static String build() throws BackendException {
        if (LlamaNative.Library.FAILURE != null) {
            throw new BackendException(Reason.ENGINE_FAILURE,
                    "cannot start the embedded llama.cpp: " + LlamaNative.Library.FAILURE.getMessage(), LlamaNative.Library.FAILURE);
        }
        return LlamaNative.Library.BUILD;
    }

    /** This machine's memory in bytes, its container's limit where it has one (the JDK reads the cgroup); 0 if unknown. */
    private static long machineMemory() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os ? os.getTotalMemorySize() : 0;
    }

    /**
     * {@link GgufPreflight}'s checks of {@code config}'s model on this machine: its header, then its weights
     * and its KV cache at the config's context against the machine's memory (a warning among the
     * model's warnings, or a refusal).
     */
    static GgufPreflight.Accepted preflight(EmbeddedConfig config, String build) throws BackendException {
        Path path = path(config);
        GgufPreflight.Accepted model = GgufPreflight.check(path, build);
        return GgufPreflight.memory(path, build, model, config.contextSize(), machineMemory())
                .map(warning -> model.withWarning(GgufPreflight.MEMORY, warning)).orElse(model);
    }

    /** The model file of {@code config}, the key of {@link #MODELS}. */
    static Path path(EmbeddedConfig config) {
        return Path.of(config.modelPath()).toAbsolutePath().normalize();
    }

    /**
     * The model of {@code config}, loaded on first use after {@link GgufPreflight} accepted it (its
     * warnings go into the details of the {@link ServerInfo} and the log). Asking
     * for a loaded file with other settings is refused: one model per file per JVM.
     */
    static synchronized Loaded load(EmbeddedConfig config) throws BackendException {
        Path path = path(config);
        Loaded loaded = MODELS.get(path);
        if (loaded != null) {
            if (!loaded.config().equals(config)) {
                throw new BackendException(Reason.BAD_CONFIG, ("model %s is loaded in this JVM with %s; it stays "
                        + "loaded for the JVM's lifetime, so it cannot be opened again with %s").formatted(path, loaded.config(), config));
            }
            return loaded;
        }
        String build = build();
        GgufPreflight.Accepted accepted = preflight(config, build);
        accepted.warnings().forEach((key, warning) -> LOG.warn("{}: {}", path, warning));
        int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        LlamaSlot slot;
        INFERENCE.lock();
        try {
            LlamaNative.setLog(config.nativeLog() == EmbeddedConfig.NativeLog.STDERR);
            long model = LlamaNative.loadModel(path.toString().getBytes(StandardCharsets.UTF_8));
            if (model == 0) {
                throw failure(build, "could not load " + path);
            }
            int size = accepted.context(config.contextSize());
            long context = LlamaNative.newContext(model, size, threads);
            if (context == 0) {
                LlamaNative.freeModel(model);
                throw failure(build, "loaded %s but could not make a context of %d tokens for it".formatted(path, size));
            }
            if (LlamaNative.attachThreadpool(context, threads) == 0) {
                LlamaNative.freeContext(context);
                LlamaNative.freeModel(model);
                throw failure(build, "could not start %d threads for %s".formatted(threads, path));
            }
            slot = new LlamaSlot(model, context, path.toString());
        } finally {
            INFERENCE.unlock();
        }
        Map<String, String> details = new HashMap<>(accepted.warnings());
        details.put("binding", LlamaNative.Library.ORIGIN);
        details.put("system_info", LlamaNative.Library.SYSTEM_INFO);
        details.put("general.name", accepted.name());
        details.put(ServerInfo.MODEL_FILE, accepted.identity());
        details.put(ServerInfo.CONTEXT_SIZE, String.valueOf(slot.size()));
        details.put("threads", String.valueOf(threads));
        details.put("cache_prompt", String.valueOf(config.cachePrompt()));
        details.put("slots", "1");
        loaded = new Loaded(config, slot, ServerInfo.of(BACKEND, build, path.toString(), details));
        MODELS.put(path, loaded);
        return loaded;
    }

    private static BackendException failure(String build, String what) {
        return new BackendException(Reason.ENGINE_FAILURE,
                "llama.cpp %s %s (give its variant native-log: stderr to see llama.cpp's log)".formatted(build, what));
    }
}
