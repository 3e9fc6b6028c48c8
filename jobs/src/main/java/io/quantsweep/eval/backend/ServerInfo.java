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
 * @param build   the engine's build, e.g. {@code b4916-c6af2161} for llama.cpp, a version for vLLM/SGLang
 * @param model   the model as the engine names it (a file path or a served model name)
 * @param details further settings that change results (context size, slots, prompt cache), sorted by key
 */
public record ServerInfo(String backend, String build, String model, SortedMap<String, String> details)
        implements Serializable {
    /**
     * The details key of what tells the model file from another at the same path, the same in every
     * copy; only where the backend reads the file itself (in-process models).
     */
    public static final String MODEL_FILE = "model_file";

    public ServerInfo {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(build, "build");
        Objects.requireNonNull(model, "model");
        details = Collections.unmodifiableSortedMap(new TreeMap<>(details));
    }

    public static ServerInfo of(String backend, String build, String model, Map<String, String> details) {
        return new ServerInfo(backend, build, model, new TreeMap<>(details));
    }

    /** "backend build (model)", for messages. */
    public String describe() {
        return "%s %s (%s)".formatted(backend, build, model);
    }
}
