package io.quantsweep.eval.backend.http;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Configs with test-sized timeouts: 200 ms to connect, 1 s to answer (a loaded 2-core machine answers a
 * healthy request well within it), 4 attempts 5–40 ms apart.
 */
final class HttpTesting {
    static final RetryPolicy FAST_RETRY = new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(40), Duration.ofSeconds(2));

    private HttpTesting() {
    }

    static HttpConfig.Builder config(ServerKind kind, Api api, FakeInferenceServer... servers) {
        List<URI> uris = Arrays.stream(servers).map(FakeInferenceServer::uri).toList();
        return HttpConfig.builder(kind, api, uris)
                .connectTimeout(Duration.ofMillis(200))
                .readTimeout(Duration.ofSeconds(1))
                .healthTimeout(Duration.ofSeconds(2))
                .retry(FAST_RETRY);
    }
}
