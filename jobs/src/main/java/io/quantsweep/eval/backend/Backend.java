package io.quantsweep.eval.backend;

import java.util.List;

/**
 * An inference engine that a benchmark sweep sends prompts to: llama.cpp in this JVM
 * ({@code embedded}) or servers over HTTP ({@code http}). Implementations are thread-safe; one
 * instance serves every task of an executor. Open one from a {@link BackendConfig}.
 *
 * <p>Prompts are sent as they are: no chat template or BOS handling is added here, except that the
 * chat API wraps the prompt as one user message.
 */
public interface Backend extends AutoCloseable {

    /** What this backend can do; the same as its config's. */
    Capabilities capabilities();

    /** Engine, build and model, to record on every result row. */
    ServerInfo serverInfo();

    /** Generates a completion of {@code prompt}. */
    Completion generate(String prompt, GenerationParams params) throws BackendException;

    /**
     * The answer among {@code choices} that greedy decoding picks when a grammar allows only the
     * choices: for single-token choices such as the letters A–D, the most probable one. No
     * probabilities are returned.
     *
     * @param choices distinct, non-empty strings
     */
    Choice choose(String prompt, List<String> choices) throws BackendException;

    /**
     * The {@code k} most probable next tokens after {@code prompt}; only where
     * {@link Capability#TOP_K} is supported, else a {@link BackendException.Reason#MISSING_CAPABILITY}.
     */
    NextTokenDistribution topK(String prompt, int k) throws BackendException;

    /** Refuses (before any prompt is sent) unless every one of {@code needed} is supported. */
    default void requireCapabilities(Capability... needed) throws BackendException {
        capabilities().require(serverInfo().describe(), needed);
    }

    /** Releases what this instance holds; never throws. */
    @Override
    void close();
}
