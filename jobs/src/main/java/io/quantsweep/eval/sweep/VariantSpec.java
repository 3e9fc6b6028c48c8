package io.quantsweep.eval.sweep;

import io.quantsweep.eval.backend.embedded.EmbeddedConfig.NativeLog;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A model variant of the sweep and where it runs.
 *
 * @param name       unique in the sweep; used in output paths, so letters, digits, {@code . _ -} only
 * @param deployment in-process llama.cpp over a GGUF file, or HTTP endpoints
 */
public record VariantSpec(String name, Deployment deployment) implements Serializable {
    /** Where a variant runs. */
    public sealed interface Deployment extends Serializable permits InProcess, Endpoints {
    }

    /**
     * In-process llama.cpp on the executor.
     *
     * @param gguf        the (first shard's) path, as written in the sweep file (the job resolves it)
     * @param contextSize context length in tokens; 0 takes the model's training context
     * @param threads     CPU threads; 0 takes every processor of the executor's machine
     * @param nativeLog   llama.cpp's own log, off unless a model will not load and its reason is wanted
     */
    public record InProcess(String gguf, int contextSize, int threads, NativeLog nativeLog) implements Deployment {
        public InProcess {
            Objects.requireNonNull(gguf, "gguf");
            Objects.requireNonNull(nativeLog, "nativeLog");
            if (contextSize < 0 || threads < 0) {
                throw new IllegalArgumentException("context size and threads must be 0 or more, got "
                        + contextSize + " and " + threads);
            }
        }
    }

    /** One or more servers that all serve this variant; requests are spread over them. */
    public record Endpoints(List<EndpointSpec> endpoints) implements Deployment {
        public Endpoints {
            endpoints = List.copyOf(endpoints);
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("a variant needs at least one endpoint");
            }
        }
    }

    public VariantSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(deployment, "deployment");
    }
}
