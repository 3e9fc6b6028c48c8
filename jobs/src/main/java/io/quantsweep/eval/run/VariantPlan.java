package io.quantsweep.eval.run;

import io.quantsweep.eval.backend.BackendConfig;
import io.quantsweep.eval.backend.embedded.EmbeddedConfig;
import io.quantsweep.eval.backend.http.Api;
import io.quantsweep.eval.backend.http.HttpConfig;
import io.quantsweep.eval.backend.http.RetryPolicy;
import io.quantsweep.eval.sweep.EndpointSpec;
import io.quantsweep.eval.sweep.ExecutionSpec;
import io.quantsweep.eval.sweep.VariantSpec;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one variant is reached, and how many requests its task keeps in flight.
 *
 * <p>A variant is one Spark task, so the limits below hold for the whole sweep, not per executor:
 * an in-process model runs one request at a time (llama.cpp with one slot); a variant on endpoints
 * runs as many requests as its endpoints' {@code concurrency} add up to, each endpoint held to its
 * own limit. Endpoints with the same limit share one {@link HttpConfig} (its limit is per endpoint),
 * so a variant has one backend per distinct limit.
 *
 * @param name   the variant's name
 * @param groups its backends, each with the number of request threads it gets
 */
public record VariantPlan(String name, List<Group> groups) implements Serializable {
    /** The most a retry waits before it tries again (the sweep file sets the first wait). */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** The longest {@code Retry-After} honoured. */
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(2);

    /** One backend and the threads that send requests to it. */
    public record Group(BackendConfig config, int threads) implements Serializable {
        public Group {
            Objects.requireNonNull(config, "config");
            if (threads < 1) {
                throw new IllegalArgumentException("a backend needs at least one thread, got " + threads);
            }
        }
    }

    public VariantPlan {
        Objects.requireNonNull(name, "name");
        groups = List.copyOf(groups);
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("variant " + name + " has no backend");
        }
    }

    /** Requests in flight at most. */
    public int threads() {
        return groups.stream().mapToInt(Group::threads).sum();
    }

    /**
     * The plan of a variant from the sweep file.
     *
     * @param gguf the in-process variant's model file, resolved to a local path (ignored for endpoints)
     */
    static VariantPlan of(VariantSpec variant, String gguf, ExecutionSpec execution) {
        if (variant.deployment() instanceof VariantSpec.InProcess p) {
            return new VariantPlan(variant.name(), List.of(new Group(
                    new EmbeddedConfig(gguf, p.contextSize(), p.threads(), false, p.nativeLog()), 1)));
        }
        VariantSpec.Endpoints e = (VariantSpec.Endpoints) variant.deployment();
        return new VariantPlan(variant.name(), endpointGroups(e.endpoints(), execution));
    }

    private static List<Group> endpointGroups(List<EndpointSpec> endpoints, ExecutionSpec execution) {
        Map<Integer, List<URI>> byLimit = new LinkedHashMap<>();
        endpoints.forEach(e -> byLimit.computeIfAbsent(e.concurrency(), k -> new ArrayList<>()).add(e.url()));
        EndpointSpec first = endpoints.get(0);
        Api api = switch (first.api()) {
            case LLAMA_SERVER -> Api.NATIVE;
            case OPENAI_COMPLETIONS -> Api.COMPLETIONS;
            case OPENAI_CHAT -> Api.CHAT;
        };
        Duration backoff = execution.retryBackoff();
        RetryPolicy retry = new RetryPolicy(execution.retries() + 1, backoff,
                backoff.compareTo(MAX_BACKOFF) > 0 ? backoff : MAX_BACKOFF, MAX_RETRY_AFTER);
        List<Group> groups = new ArrayList<>();
        byLimit.forEach((limit, urls) -> groups.add(new Group(HttpConfig.builder(first.server(), api, urls)
                .model(first.model())
                .maxConcurrentPerEndpoint(limit)
                .readTimeout(execution.timeout())
                .retry(retry)
                .build(), limit * urls.size())));
        return groups;
    }
}
