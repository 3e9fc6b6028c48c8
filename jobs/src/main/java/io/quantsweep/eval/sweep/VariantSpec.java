package io.quantsweep.eval.sweep;

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

    /** In-process llama.cpp on the executor; {@code gguf} is the (first shard's) path. */
    public record InProcess(String gguf) implements Deployment {
        public InProcess {
            Objects.requireNonNull(gguf, "gguf");
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
