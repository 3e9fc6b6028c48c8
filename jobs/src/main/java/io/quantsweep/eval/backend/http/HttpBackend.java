package io.quantsweep.eval.backend.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.quantsweep.eval.backend.Backend;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.BackendException.Reason;
import io.quantsweep.eval.backend.Capabilities;
import io.quantsweep.eval.backend.Choice;
import io.quantsweep.eval.backend.Choices;
import io.quantsweep.eval.backend.Completion;
import io.quantsweep.eval.backend.GenerationParams;
import io.quantsweep.eval.backend.NextTokenDistribution;
import io.quantsweep.eval.backend.ServerInfo;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@link Backend} over one or more inference servers of one kind that serve the same model.
 *
 * <p>{@link #open} checks, before any prompt is sent, that every endpoint reports healthy
 * ({@code GET /health} answers 2xx; llama-server answers 503 while it loads, so it is polled until
 * {@link HttpConfig#healthTimeout()}), then reads each endpoint's build and served models and
 * refuses endpoints that disagree. A llama-server in router mode, which serves many models from one
 * port, is asked about the configured one ({@code /props?model=}), which loads it. Each call then takes
 * an endpoint from the {@link EndpointPool} (at most {@link HttpConfig#maxConcurrentPerEndpoint()} in
 * flight each, least busy first) and goes through {@link Transport}'s retries; the permit is held only
 * while a request is in flight.
 */
final class HttpBackend implements Backend {
    /** vLLM's default {@code --max-logprobs}: it refuses a request for more alternatives. */
    private static final int VLLM_DEFAULT_MAX_LOGPROBS = 20;

    private static final String HEALTH = "/health";
    private static final String MODELS = "/v1/models";
    private static final int NOT_FOUND = 404;
    /** llama-server's {@code /props} {@code role} when it routes each request to one of many models. */
    private static final String ROUTER = "router";
    private static final Duration PROBE_FLOOR = Duration.ofSeconds(1);

    private final HttpConfig config;
    private final Transport transport;
    private final EndpointPool pool;
    private final String model;
    private final ServerInfo info;

    private HttpBackend(HttpConfig config, Transport transport, EndpointPool pool, String model, ServerInfo info) {
        this.config = config;
        this.transport = transport;
        this.pool = pool;
        this.model = model;
        this.info = info;
    }

    static HttpBackend open(HttpConfig config) throws BackendException {
        Optional<ApiKey> key = config.apiKey().resolve();
        Transport transport = new Transport(config, key);
        EndpointPool pool = new EndpointPool(config.endpoints(), config.maxConcurrentPerEndpoint());
        awaitHealthy(config, transport, pool);
        ServerInfo first = null;
        for (EndpointPool.Endpoint e : pool.endpoints()) {
            ServerInfo info = serverInfo(config, transport, e, servedModel(config, transport, e));
            if (first == null) {
                first = info;
            } else if (!first.sameModel(info)) {
                throw new BackendException(Reason.BAD_CONFIG, ("endpoints disagree: %s runs %s, %s runs %s; one variant's "
                        + "endpoints must run one build and one model").formatted(pool.endpoints().get(0),
                        first.describeWithFile(), e, info.describeWithFile()));
            } else if (first.contextSize() != info.contextSize()) {
                // a sample must not depend on the endpoint that answered it, nor the checks on the first one
                throw new BackendException(Reason.BAD_CONFIG, ("endpoints disagree: %s gives a request %d tokens of context, "
                        + "%s %d; give every slot of one variant's servers the same context (llama-server: --ctx-size "
                        + "divided by --parallel; SGLang: --context-length, and --max-total-tokens where its KV cache "
                        + "holds less)").formatted(pool.endpoints().get(0), first.contextSize(), e,
                        info.contextSize()));
            }
        }
        return new HttpBackend(config, transport, pool, first.model(), first);
    }

    /** Polls {@code /health} of every endpoint until all answer 2xx or the health timeout passes. */
    private static void awaitHealthy(HttpConfig config, Transport transport, EndpointPool pool) throws BackendException {
        long deadline = System.nanoTime() + config.healthTimeout().toNanos();
        Map<EndpointPool.Endpoint, String> waiting = new LinkedHashMap<>();
        pool.endpoints().forEach(e -> waiting.put(e, "not asked yet"));
        for (int round = 1; ; round++) {
            for (EndpointPool.Endpoint e : new ArrayList<>(waiting.keySet())) {
                // a server that takes the connection and never answers must not outlast the health timeout
                // by more than a second; a second is what a last probe gets to say why it is not ready
                Duration within = Duration.ofNanos(Math.max(PROBE_FLOOR.toNanos(), deadline - System.nanoTime()));
                Transport.Probe probe = transport.probe(e, HEALTH, within);
                if (probe.status() / 100 == 2) {
                    waiting.remove(e);
                } else if (probe.status() == 401 || probe.status() == 403) {
                    throw new BackendException(Reason.BAD_CONFIG, "endpoint %s refuses our credentials (%s); check apiKey %s"
                            .formatted(e, probe.detail(), config.apiKey()));
                } else {
                    waiting.put(e, probe.detail());
                }
            }
            long left = deadline - System.nanoTime();
            if (waiting.isEmpty()) {
                return;
            }
            if (left <= 0) {
                StringBuilder why = new StringBuilder();
                waiting.forEach((e, detail) -> why.append("; ").append(e).append(HEALTH).append(": ").append(detail));
                throw new BackendException(Reason.UNHEALTHY, "%d of %d endpoints not healthy within %d ms%s"
                        .formatted(waiting.size(), pool.endpoints().size(), config.healthTimeout().toMillis(), why));
            }
            Duration wait = config.retry().backoff(round, ThreadLocalRandom.current().nextDouble());
            transport.sleep(wait.toNanos() < left ? wait : Duration.ofNanos(left), HEALTH);
        }
    }

    /**
     * The {@code /v1/models} entry of the model to ask for: the configured one, which the endpoint must
     * list, or the only one it lists.
     */
    private static JsonNode servedModel(HttpConfig config, Transport transport, EndpointPool.Endpoint e)
            throws BackendException {
        List<JsonNode> cards = new ArrayList<>();
        transport.get(e, MODELS).json().path("data").forEach(cards::add);
        List<String> ids = cards.stream().map(m -> m.path("id").asText("")).toList();
        if (!config.model().isEmpty()) {
            if (!ids.contains(config.model())) {
                throw new BackendException(Reason.BAD_CONFIG, "endpoint %s serves %s, not '%s'".formatted(e, ids, config.model()));
            }
            return cards.get(ids.indexOf(config.model()));
        }
        if (ids.size() != 1 || ids.get(0).isEmpty()) {
            throw new BackendException(Reason.BAD_CONFIG, "endpoint %s%s lists models %s; name the one to use"
                    .formatted(e, MODELS, ids));
        }
        return cards.get(0);
    }

    /** The first of the server's info paths that {@code e} does not answer 404: the last where it answers none. */
    private static String infoPath(HttpConfig config, Transport transport, EndpointPool.Endpoint e) throws BackendException {
        List<String> paths = config.server().infoPaths();
        for (String path : paths.subList(0, paths.size() - 1)) {
            if (transport.probe(e, path, config.readTimeout()).status() != NOT_FOUND) {
                return path;
            }
        }
        return paths.get(paths.size() - 1);
    }

    /** @param card the served model's {@code /v1/models} entry */
    private static ServerInfo serverInfo(HttpConfig config, Transport transport, EndpointPool.Endpoint e, JsonNode card)
            throws BackendException {
        String model = card.path("id").asText();
        ServerKind server = config.server();
        String infoPath = infoPath(config, transport, e);
        JsonNode props = transport.get(e, infoPath).json();
        if (server == ServerKind.LLAMA_SERVER && ROUTER.equals(props.path("role").asText(""))) {
            // llama-server in router mode (--models-dir, --models-preset) describes itself in /props: model_path
            // "none", n_ctx 0, no slots; the model's own instance answers /props?model=ID, loading it first
            props = transport.get(e, infoPath + "?model=" + URLEncoder.encode(model, StandardCharsets.UTF_8)).json();
        }
        JsonNode build = props.get(server.buildField());
        if (build == null || !build.isTextual() || build.asText().isEmpty()) {
            throw new BackendException(Reason.BAD_RESPONSE, "%s%s has no '%s': is this %s?"
                    .formatted(e, infoPath, server.buildField(), server.id()));
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("api", config.api().path());
        details.put("endpoints", String.valueOf(config.endpoints().size()));
        details.put("max_concurrent_per_endpoint", String.valueOf(config.maxConcurrentPerEndpoint()));
        if (server == ServerKind.LLAMA_SERVER) {
            details.put("cache_prompt", String.valueOf(config.cachePrompt()));
            if (props.hasNonNull("total_slots")) {
                details.put("total_slots", props.get("total_slots").asText());
            }
        }
        // what one request may fill: a llama-server slot's share of --ctx-size, vLLM's max_model_len, SGLang's
        // max_model_len or less where its KV cache pool is smaller, whose scheduler then cuts answers short silently
        int context = tokenCount(server == ServerKind.LLAMA_SERVER
                ? props.path("default_generation_settings").path("n_ctx") : card.path("max_model_len"));
        if (server == ServerKind.SGLANG) {
            context = SglangPool.of(props).requestContext(context);
        }
        if (context > 0) {
            details.put(ServerInfo.CONTEXT_SIZE, String.valueOf(context));
        }
        if (server == ServerKind.SGLANG) {
            // SGLang applies a request's seed only when started with --enable-deterministic-inference
            details.put("deterministic_inference",
                    String.valueOf(props.path("enable_deterministic_inference").asBoolean(false)));
        }
        // the file (or checkpoint) behind the served name, which an alias (--alias, --served-model-name) hides:
        // llama-server's and SGLang's model_path, vLLM's root
        JsonNode file = server == ServerKind.VLLM ? card.get("root") : props.get("model_path");
        if (file != null && file.isTextual() && !file.asText().isEmpty()) {
            details.put(ServerInfo.MODEL_FILE, file.asText());
        }
        return ServerInfo.of(server.id(), build.asText(), model, details);
    }

    /**
     * A token count the server reports, or 0 where it reports none or something else: such a number only
     * adds a check (the context), so a server or proxy that leaves it out is still used without that check.
     */
    static int tokenCount(JsonNode value) {
        return value.canConvertToInt() && value.asInt() > 0 ? value.asInt() : 0;
    }

    @Override
    public Capabilities capabilities() {
        return HttpConfig.CAPABILITIES;
    }

    @Override
    public ServerInfo serverInfo() {
        return info;
    }

    @Override
    public Completion generate(String prompt, GenerationParams params) throws BackendException {
        Transport.Answer a = ask(Protocol.generate(config, model, prompt, params));
        return Protocol.completion(config.api(), a, source());
    }

    @Override
    public Choice choose(String prompt, List<String> choices) throws BackendException {
        List<String> allowed = Choices.check(choices);
        int budget = Choices.tokenBudget(allowed);
        Transport.Answer a = ask(Protocol.choose(config, model, info.build(), prompt, allowed, budget));
        Protocol.requireAnswerOutsideThinking(config.api(), a.json(), source(), "the constrained choice");
        Completion answer = new Completion(Protocol.text(config.api(), a.json(), source()),
                Protocol.generatedTokens(config.api(), a.json(), source()), Protocol.finishReason(config.api(), a.json(), source()),
                a.latency(), List.of(), a.attempts());
        return Choices.match(allowed, answer, budget, info.describe());
    }

    @Override
    public NextTokenDistribution topK(String prompt, int k) throws BackendException {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, not " + k);
        }
        Transport.Answer a;
        try {
            a = ask(Protocol.topK(config, model, prompt, k));
        } catch (BackendException e) {
            if (e.reason() == Reason.REJECTED && config.server() == ServerKind.VLLM && k > VLLM_DEFAULT_MAX_LOGPROBS) {
                throw new BackendException(Reason.REJECTED, e.detail() + " (vLLM gives at most its --max-logprobs "
                        + "alternatives, " + VLLM_DEFAULT_MAX_LOGPROBS + " unless set: ask top-k " + VLLM_DEFAULT_MAX_LOGPROBS
                        + " or fewer, or start it with --max-logprobs " + k + ")", e);
            }
            throw e;
        }
        if (config.server() == ServerKind.LLAMA_SERVER && Protocol.withheldAlternatives(config.api(), a.json(), source())) {
            a = ask(Protocol.topKOfAWholeCharacter(config, model, prompt, k));
            if (!Protocol.firstEndsInsideACharacter(config.api(), a.json())) {
                // an older llama-server lists the alternatives its samplers, the grammar among them, left
                throw new BackendException(Reason.REJECTED, ("%s: the most probable next token ends inside a UTF-8 "
                        + "character, whose alternatives llama-server withholds, and this build lists them after its "
                        + "grammar, not as the model gives them; use a newer llama-server").formatted(source()));
            }
        }
        return Protocol.distribution(config.api(), a, source());
    }

    /** Posts a request to the API's path; a native answer must have seen the whole prompt. */
    private Transport.Answer ask(JsonNode body) throws BackendException {
        Transport.Answer a = transport.post(pool, config.api().path(), body);
        if (config.api() == Api.NATIVE) {
            Protocol.requireWholePrompt(a.json(), source(), info.contextSize());
        }
        return a;
    }

    /** Nothing to release: the JDK client's threads are daemons and idle connections time out. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "HttpBackend[" + config.describe() + ", " + info.describe() + "]";
    }

    private String source() {
        return info.describe() + " " + config.api().path();
    }
}
