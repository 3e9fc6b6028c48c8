package io.quantsweep.eval.backend.embedded;

import com.sun.management.OperatingSystemMXBean;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.BackendException.Reason;
import io.quantsweep.eval.backend.ServerInfo;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-JVM side of the embedded backend: the native library, and one loaded model per file for
 * the JVM's lifetime.
 *
 * <p>Why models are never closed: {@code LlamaModel.close()} can hang, so a model, once loaded,
 * stays until the JVM exits. Loading is the expensive part (a whole GGUF), so executors share it
 * across tasks anyway. The binding also attaches a non-daemon thread per model, so a JVM that
 * loaded one ends only through {@code System.exit} (as Spark executors and our command line do).
 *
 * <p>Why the binding gets a private temporary folder: its loader extracts {@code libjllama.so} to a
 * fixed name in {@code java.io.tmpdir}, and first deletes every file there whose name starts with
 * "llama" or "jllama" — other JVMs' libraries and anyone's files. Unless the property
 * {@code de.kherud.llama.tmpdir} is set already, this class sets it to a new folder of its own.
 */
final class EmbeddedEngine {
    static final String BACKEND = "embedded-llama.cpp";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedEngine.class);
    private static final String TMPDIR_PROPERTY = "de.kherud.llama.tmpdir";
    private static final String LIBRARY = "libjllama.so";

    /**
     * One request at a time in this JVM, whichever model it asks: each model runs llama.cpp on every core,
     * so two at once oversubscribe them (which slowed generation 4-6x, see {@link #load}); and a test run
     * in which two models decoded at once aborted once in llama.cpp b4916's grammar code.
     */
    static final ReentrantLock INFERENCE = new ReentrantLock(true);

    /** Loaded models by absolute path; guarded by the class lock. */
    private static final Map<Path, Loaded> MODELS = new HashMap<>();

    /**
     * A model loaded with {@code config} and a context of {@code context} tokens, which every prompt fills
     * with {@code addedTokens} more than its own (BOS, EOS), and what produced it.
     */
    record Loaded(EmbeddedConfig config, int context, int addedTokens, LlamaModel model, ServerInfo info) {
    }

    private EmbeddedEngine() {
    }

    /** Loads the native library once per JVM (on first use) and records its build. */
    private static final class Native {
        static final String BUILD;
        static final String BINDING;
        static final Exception FAILURE;

        static {
            String build = null;
            String binding = null;
            Exception failure = null;
            try {
                binding = bindingVersion();
                build = initialize();
            } catch (Exception | LinkageError e) {
                failure = e instanceof Exception ex ? ex : new IOException(e.toString(), e);
            }
            BUILD = build;
            BINDING = binding;
            FAILURE = failure;
        }
    }

    /** The llama.cpp build of the loaded library, e.g. {@code b4916-c6af2161}. */
    static String build() throws BackendException {
        if (Native.FAILURE != null) {
            throw new BackendException(Reason.ENGINE_FAILURE,
                    "cannot start the embedded llama.cpp: " + Native.FAILURE.getMessage(), Native.FAILURE);
        }
        return Native.BUILD;
    }

    private static String initialize() throws IOException, ClassNotFoundException {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IOException("the embedded backend runs on Linux x86-64 only, not " + os + " " + arch
                    + "; use the http backend");
        }
        if (System.getProperty(TMPDIR_PROPERTY) == null) {
            Path dir = Files.createTempDirectory("quantsweep-jllama-");
            dir.toFile().deleteOnExit();
            System.setProperty(TMPDIR_PROPERTY, dir.toString());
        }
        Class.forName(LlamaModel.class.getName(), true, LlamaModel.class.getClassLoader());
        return ElfBuildInfo.read(loadedLibrary());
    }

    /** Where the loader's {@code libjllama.so} is mapped into this process, from /proc/self/maps. */
    private static Path loadedLibrary() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            int slash = line.indexOf('/');
            if (slash >= 0 && line.endsWith("/" + LIBRARY)) {
                return Path.of(line.substring(slash));
            }
        }
        throw new IOException(LIBRARY + " is not mapped into this process after loading the binding");
    }

    private static String bindingVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = LlamaModel.class.getResourceAsStream("/META-INF/maven/de.kherud/llama/pom.properties")) {
            if (in == null) {
                return "de.kherud:llama (version unknown)";
            }
            p.load(in);
        }
        return "de.kherud:llama:" + p.getProperty("version");
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
        int context = accepted.context(config.contextSize());
        int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        // No warm-up decode: the binding would run it on this (Java) thread and every later decode on its
        // own worker thread, so libgomp keeps two thread pools; with more of its threads than CPUs it
        // stops spinning at barriers and sleeps at each of ggml's hundreds per token, which made
        // generation 4-6x slower at threads = cores (BENCHMARKS.md, evaluation backends).
        ModelParameters mp = new ModelParameters().setModel(path.toString()).setThreads(threads).setParallel(1)
                .skipWarmup();
        // always set: the binding's default is llama.cpp's 4096 tokens, not the model's own; and without
        // context shift a request that outgrows the context fails instead of silently dropping the
        // prompt's start (EmbeddedBackend keeps each request inside it)
        mp.setCtxSize(context).disableContextShift();
        if (config.nativeLog() == EmbeddedConfig.NativeLog.OFF) {
            mp.disableLog();
        }
        LlamaModel model;
        try {
            model = new LlamaModel(mp);
        } catch (RuntimeException e) {
            throw new BackendException(Reason.ENGINE_FAILURE, ("llama.cpp %s could not load %s: %s (give its variant "
                    + "native-log: stderr to see llama.cpp's log)")
                    .formatted(build, path, e.getMessage()), e);
        }
        Map<String, String> details = new HashMap<>(accepted.warnings());
        details.put("binding", Native.BINDING);
        details.put("general.name", accepted.name());
        details.put(ServerInfo.MODEL_FILE, accepted.identity());
        details.put(ServerInfo.CONTEXT_SIZE, String.valueOf(context));
        details.put("threads", String.valueOf(threads));
        details.put("cache_prompt", String.valueOf(config.cachePrompt()));
        details.put("slots", "1");
        ServerInfo info = ServerInfo.of(BACKEND, build, path.toString(), details);
        loaded = new Loaded(config, context, accepted.addedTokens(), model, info);
        MODELS.put(path, loaded);
        return loaded;
    }
}
