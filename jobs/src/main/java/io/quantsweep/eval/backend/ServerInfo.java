package io.quantsweep.eval.backend;

import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What produced a result, recorded on every result row: the engine, its build and the model.
 *
 * @param backend engine name: {@code embedded-llama.cpp}, {@code llama-server}, {@code vllm}, {@code sglang}
 * @param build   the engine's build, e.g. {@code v0.5.0-de3ff81} for llama.cpp, a version for vLLM/SGLang
 * @param model   the model as the engine names it (a file path or a served model name)
 * @param details further settings that change results (context size, slots, prompt cache), sorted by key
 */
public record ServerInfo(String backend, String build, String model, SortedMap<String, String> details)
        implements Serializable {
    /**
     * The details key of the model file behind the model's name: in-process, what tells it from another
     * file at the same path (its size and hashes); on a server, the path or checkpoint it says it
     * serves, which an alias hides.
     */
    public static final String MODEL_FILE = "model_file";
    /**
     * The details key of the context one request has, prompt and answer together, in tokens: an
     * in-process model's, llama-server's per slot ({@code --ctx-size} divided among its {@code --parallel}
     * slots), vLLM's {@code max_model_len}, SGLang's {@code max_model_len} or the less its KV cache pool holds.
     */
    public static final String CONTEXT_SIZE = "context_size";

    public ServerInfo {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(build, "build");
        Objects.requireNonNull(model, "model");
        details = Collections.unmodifiableSortedMap(new TreeMap<>(details));
    }

    public static ServerInfo of(String backend, String build, String model, Map<String, String> details) {
        return new ServerInfo(backend, build, model, new TreeMap<>(details));
    }

    /**
     * Whether {@code other} runs the same build and model, from the same file where both name theirs. A
     * server's file is compared by its last name only: one file reached by a relative and an absolute
     * path, or mounted elsewhere on another host, is still the same model, and another GGUF under the
     * same alias has a name of its own.
     */
    public boolean sameModel(ServerInfo other) {
        String file = lastName(modelFile());
        String otherFile = lastName(other.modelFile());
        return backend.equals(other.backend) && build.equals(other.build) && model.equals(other.model)
                && (file.isEmpty() || otherFile.isEmpty() || file.equals(otherFile));
    }

    /** What follows the last slash, trailing ones dropped: {@code /m/x.gguf} → {@code x.gguf}, {@code o/r/} → {@code r}. */
    private static String lastName(String path) {
        String p = path.replaceAll("[/\\\\]+$", "");
        return p.substring(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
    }

    /** {@link #CONTEXT_SIZE}, or 0 where the backend does not say it. */
    public int contextSize() {
        String context = details.getOrDefault(CONTEXT_SIZE, "");
        return context.matches("[0-9]{1,9}") ? Integer.parseInt(context) : 0;
    }

    /** {@link #MODEL_FILE}, or "" where the backend does not know it. */
    public String modelFile() {
        return details.getOrDefault(MODEL_FILE, "");
    }

    /** "backend build (model)", for messages. */
    public String describe() {
        return "%s %s (%s)".formatted(backend, build, model);
    }

    /** {@link #describe()}, and " from FILE" where the backend named its model file (two may differ only there). */
    public String describeWithFile() {
        return describe() + (modelFile().isEmpty() ? "" : " from " + modelFile());
    }
}
