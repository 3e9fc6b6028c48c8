package io.quantsweep.eval.backend.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * llama.cpp's C API, as far as the embedded backend uses it, through our JNI bridge
 * ({@code src/main/native/llama_jni.c}). The jar carries llama.cpp's CPU libraries for Linux x86-64 and
 * the bridge ({@code jobs/llama-native.sh} puts them there); the first use extracts them into a folder
 * of this JVM's own and loads them, once. Handles are native pointers; 0 means the call failed.
 * Nothing here is thread-safe: {@link EmbeddedEngine#INFERENCE} serializes every use of a context.
 */
final class LlamaNative {
    private static final String RESOURCES = "native/linux-x86_64/";

    private LlamaNative() {
    }

    /** The loaded libraries, or why they could not be loaded; initialized on first use. */
    static final class Library {
        /** The llama.cpp release and commit, e.g. {@code v0.5.0-de3ff81}. */
        static final String BUILD;
        /** Where the libraries come from: our bridge and the npm package of llama.cpp's binaries. */
        static final String ORIGIN;
        /** llama.cpp's line of the CPU features it was built and selected for. */
        static final String SYSTEM_INFO;
        static final Exception FAILURE;

        static {
            String build = null;
            String origin = null;
            String systemInfo = null;
            Exception failure = null;
            try {
                String[] lines = resource("build.txt").strip().split("\n");
                build = lines[0];
                origin = "quantsweep-llama (JNI) over " + lines[lines.length - 1];
                Path dir = extract();
                System.load(dir.resolve("libquantsweep-llama.so").toString());
                systemInfo = init(dir.toString().getBytes(StandardCharsets.UTF_8));
                if (systemInfo == null) {
                    throw new IOException("llama.cpp could not be initialized from " + dir);
                }
                systemInfo = systemInfo.strip();
            } catch (Exception | LinkageError e) {
                failure = e instanceof Exception ex ? ex : new IOException(e.toString(), e);
            }
            BUILD = build;
            ORIGIN = origin;
            SYSTEM_INFO = systemInfo;
            FAILURE = failure;
        }

        private Library() {
        }
    }

    /** Copies the libraries into a new temporary folder, deleted when the JVM exits. */
    private static Path extract() throws IOException {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IOException("the embedded backend runs on Linux x86-64 only, not " + os + " " + arch
                    + "; use the http backend");
        }
        Path dir = Files.createTempDirectory("quantsweep-llama-");
        dir.toFile().deleteOnExit();
        for (String name : List.of(resource("libraries.txt").split("\n"))) {
            try (InputStream in = open(name)) {
                Path file = dir.resolve(name);
                Files.copy(in, file);
                file.toFile().deleteOnExit();
            }
        }
        return dir;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = open(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = LlamaNative.class.getResourceAsStream(RESOURCES + name);
        if (in == null) {
            throw new IOException("the jar lacks " + RESOURCES + name + " of the embedded backend's native part "
                    + "(jobs/llama-native.sh builds it into the jar)");
        }
        return in;
    }

    /** Points llama.cpp's log at the process's stderr, or nowhere. */
    static native void setLog(boolean toStderr);

    /**
     * Loads the CPU backend variants from {@code backendDir} and initializes llama.cpp; its system info. Text
     * goes to C as UTF-8 bytes: JNI's strings are modified UTF-8, which spells a character above U+FFFF as two
     * surrogates.
     */
    private static native String init(byte[] backendDir);

    /** The GGUF file at {@code path} (UTF-8), its weights mapped from the file; 0 on failure. */
    static native long loadModel(byte[] path);

    static native void freeModel(long model);

    static native int vocabSize(long model);

    /** Whether {@code token} ends generation (EOS, EOT, ...). */
    static native boolean isEndOfGeneration(long model, int token);

    /** The prompt's tokens as llama-server makes them: BOS/EOS added as the vocabulary says, special tokens parsed; null on failure. */
    static native int[] tokenize(long model, byte[] utf8);

    /** The token's bytes in an answer (special tokens give none); null on failure. */
    static native byte[] piece(long model, int token);

    static native long newContext(long model, int contextSize, int threads);

    static native void freeContext(long context);

    /** Gives the context a pool of {@code threads} threads for its lifetime, as llama-server does; the pool, 0 on failure. */
    static native long attachThreadpool(long context, int threads);

    /** The context's size in tokens, after llama.cpp's rounding. */
    static native int contextSize(long context);

    /** The most tokens one {@link #decode} takes. */
    static native int batchSize(long context);

    /** Keeps the first {@code keep} positions of the cache and drops the rest; false where the cache cannot. */
    static native boolean keepCache(long context, int keep);

    /** Decodes {@code tokens[from, to)} after what the cache holds; llama_decode's status, 0 on success. */
    static native int decode(long context, int[] tokens, int from, int to);

    /** Copies the logits after the last decoded token into {@code out} (vocabulary size); false if there are none. */
    static native boolean logits(long context, float[] out);

    /**
     * A sampler as llama-server keeps one: greedy for a temperature of at most 0, else top-k, top-p, min-p,
     * temperature and a draw seeded with {@code seed}; and the GBNF {@code grammar} (UTF-8, root rule
     * {@code root}) if not null, which {@link #sample} consults. 0 where the grammar does not parse.
     */
    static native long newSampler(long model, float temperature, int topK, float topP, float minP, int seed, byte[] grammar);

    static native void freeSampler(long sampler);

    /**
     * Samples the next token after the last decoded one and accepts it into the sampler's state; a token the
     * grammar refuses is drawn again from what it allows, as llama-server does. -1 where there are no logits.
     */
    static native int sample(long sampler, long context);
}
