package io.quantsweep.eval.backend.http;

import io.quantsweep.eval.backend.Backend;
import io.quantsweep.eval.backend.BackendConfig;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.Capabilities;
import io.quantsweep.eval.backend.Capability;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Inference servers over HTTP: llama-server (native or OpenAI-compatible APIs), vLLM or SGLang
 * (OpenAI-compatible). Several endpoints serving the same model spread the load of one variant.
 *
 * @param server                  which server software runs at every endpoint
 * @param api                     which of its generation APIs to call ({@link Api#NATIVE} only for llama-server)
 * @param endpoints               base URIs such as {@code http://10.0.0.5:8080}, without credentials
 * @param model                   the served model to ask for; empty takes the one model each endpoint lists
 * @param maxConcurrentPerEndpoint most requests in flight to one endpoint (match llama-server's {@code --parallel})
 * @param connectTimeout          longest wait for a TCP connection
 * @param readTimeout             longest wait for a whole answer once connected
 * @param healthTimeout           how long {@link #open} waits for every endpoint to report healthy
 * @param retry                   what is retried and how long to wait
 * @param apiKey                  where the bearer key comes from
 * @param cachePrompt             let llama-server reuse a cached prompt prefix (faster; logits then depend on
 *                                the batch split, so results can differ between runs); other servers ignore it
 */
public record HttpConfig(ServerKind server, Api api, List<URI> endpoints, String model, int maxConcurrentPerEndpoint,
                         Duration connectTimeout, Duration readTimeout, Duration healthTimeout, RetryPolicy retry,
                         ApiKeySource apiKey, boolean cachePrompt) implements BackendConfig {
    private static final long serialVersionUID = 1L;
    static final Capabilities CAPABILITIES = Capabilities.of(Capability.values());
    /** The chat API puts every prompt in a user turn of the server's own template. */
    static final Capabilities CHAT_CAPABILITIES = Capabilities.of(Capability.GENERATE, Capability.CHOOSE,
            Capability.TOP_K, Capability.TOKEN_LOGPROBS);

    public HttpConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(apiKey, "apiKey");
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no endpoints");
        }
        if (new HashSet<>(endpoints).size() != endpoints.size()) {
            throw new IllegalArgumentException("an endpoint appears twice in " + endpoints);
        }
        for (URI e : endpoints) {
            if (!("http".equals(e.getScheme()) || "https".equals(e.getScheme())) || e.getHost() == null) {
                throw new IllegalArgumentException("endpoint " + e + " is not an http(s) URI with a host");
            }
            if (e.getRawUserInfo() != null || e.getRawQuery() != null || e.getRawFragment() != null) {
                throw new IllegalArgumentException("endpoint " + e.getScheme() + "://" + e.getHost()
                        + " must have no user info, query or fragment (pass keys with apiKey)");
            }
        }
        if (api == Api.NATIVE && server != ServerKind.LLAMA_SERVER) {
            throw new IllegalArgumentException("the native /completion API is llama-server's; " + server + " needs COMPLETIONS or CHAT");
        }
        if (maxConcurrentPerEndpoint < 1) {
            throw new IllegalArgumentException("maxConcurrentPerEndpoint must be >= 1, not " + maxConcurrentPerEndpoint);
        }
        for (Duration d : List.of(connectTimeout, readTimeout, healthTimeout)) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive: " + connectTimeout + ", " + readTimeout + ", " + healthTimeout);
            }
        }
    }

    /** Defaults: the server's only model, 4 requests per endpoint, 10 s to connect, 10 min to answer,
     *  5 min to become healthy, {@link RetryPolicy#DEFAULT}, no key, no prompt cache. */
    public static Builder builder(ServerKind server, Api api, List<URI> endpoints) {
        return new Builder(server, api, endpoints);
    }

    @Override
    public Capabilities capabilities() {
        return api == Api.CHAT ? CHAT_CAPABILITIES : CAPABILITIES;
    }

    @Override
    public String describe() {
        return "http %s %s (%d endpoint%s)".formatted(server.id(), api.path(), endpoints.size(), endpoints.size() == 1 ? "" : "s");
    }

    @Override
    public Backend open() throws BackendException {
        return HttpBackend.open(this);
    }

    /** Builds an {@link HttpConfig}; see {@link #builder} for the defaults. */
    public static final class Builder {
        private final ServerKind server;
        private final Api api;
        private final List<URI> endpoints;
        private String model = "";
        private int maxConcurrentPerEndpoint = 4;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofMinutes(10);
        private Duration healthTimeout = Duration.ofMinutes(5);
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private ApiKeySource apiKey = ApiKeySource.none();
        private boolean cachePrompt;

        private Builder(ServerKind server, Api api, List<URI> endpoints) {
            this.server = server;
            this.api = api;
            this.endpoints = endpoints;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder maxConcurrentPerEndpoint(int n) {
            this.maxConcurrentPerEndpoint = n;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        public Builder readTimeout(Duration d) {
            this.readTimeout = d;
            return this;
        }

        public Builder healthTimeout(Duration d) {
            this.healthTimeout = d;
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        public Builder apiKey(ApiKeySource apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder cachePrompt(boolean cachePrompt) {
            this.cachePrompt = cachePrompt;
            return this;
        }

        public HttpConfig build() {
            return new HttpConfig(server, api, endpoints, model, maxConcurrentPerEndpoint, connectTimeout, readTimeout,
                    healthTimeout, retry, apiKey, cachePrompt);
        }
    }
}
