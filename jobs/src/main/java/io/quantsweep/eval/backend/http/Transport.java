package io.quantsweep.eval.backend.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.BackendException.Reason;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON over HTTP with the retry policy: one attempt at a time, each under a deadline of connect
 * timeout plus read timeout (headers and body; a late answer is cancelled and discarded, so every
 * call returns at most one answer), retried as {@link RetryPolicy} says. Every text that comes from a
 * server or an exception goes through {@link ApiKey#redact} before it reaches a message or the log.
 */
final class Transport {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);
    private static final int SNIPPET_CHARS = 300;
    /** llama-server's error for a request that reached its slot's context end under --no-context-shift, before May 2025. */
    private static final String CONTEXT_SHIFT_DISABLED = "context shift is disabled";
    /** llama-server's 500 when a batch finds no room in the KV cache. */
    private static final String KV_CACHE_FULL = "Context size has been exceeded";
    /** Largest response body read; a generation with its log-probabilities is a few MB at the most. */
    static final long MAX_BODY_BYTES = 64L << 20;

    private final HttpClient client;
    private final RetryPolicy retry;
    private final Duration deadline;
    private final Optional<ApiKey> key;

    /** What one attempt came to: a raw reply, a JSON answer, or a failure. */
    private sealed interface Outcome permits Reply, Answer, Failure {
    }

    /** A JSON answer, the wall time of the attempt that got it, and which attempt that was (1 for the first). */
    record Answer(JsonNode json, Duration latency, int attempts) implements Outcome {
    }

    private record Reply(HttpResponse<String> response, Duration latency) implements Outcome {
    }

    /** A failed attempt: why, whether to retry, and a wait the server asked for. */
    private record Failure(Reason reason, String message, boolean retryable, Optional<Duration> retryAfter)
            implements Outcome {
        static Failure retryable(Reason reason, String message) {
            return new Failure(reason, message, true, Optional.empty());
        }
    }

    /** A health probe's result: the status (-1 when nothing answered) and what was wrong, if anything. */
    record Probe(int status, String detail) {
    }

    Transport(HttpConfig config, Optional<ApiKey> key) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.retry = config.retry();
        this.deadline = config.connectTimeout().plus(config.readTimeout());
        this.key = key;
    }

    /** POSTs {@code body} to {@code path} of the endpoint each attempt leases from {@code pool}, with retries. */
    Answer post(EndpointPool pool, String path, JsonNode body) throws BackendException {
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a request body", e);
        }
        return withRetries(pool::acquire, null, path, uri -> request(uri).POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** GETs {@code path} of {@code endpoint}, with retries, outside the pool's limits (used before a sweep). */
    Answer get(EndpointPool.Endpoint endpoint, String path) throws BackendException {
        return withRetries(() -> null, endpoint, path, uri -> request(uri).GET().build());
    }

    /** One GET of {@code path} of {@code endpoint}, no retries, answered within {@code within} at the most. */
    Probe probe(EndpointPool.Endpoint endpoint, String path, Duration within) throws BackendException {
        URI uri = endpoint.resolve(path);
        Outcome outcome = attempt(uri, request(uri).GET().build(), within.compareTo(deadline) < 0 ? within : deadline);
        if (outcome instanceof Reply reply) {
            int status = reply.response().statusCode();
            return new Probe(status, status / 100 == 2 ? "" : status + " " + snippet(errorText(reply.response().body())));
        }
        return new Probe(-1, ((Failure) outcome).message());
    }

    /** Takes an endpoint for one attempt, or gives null to use the fixed one. */
    private interface Target {
        EndpointPool.Lease lease() throws InterruptedException;
    }

    private interface RequestFor {
        HttpRequest build(URI uri);
    }

    private Answer withRetries(Target target, EndpointPool.Endpoint fixed, String path, RequestFor request)
            throws BackendException {
        Failure last = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            Outcome outcome;
            URI uri;
            EndpointPool.Lease lease = null;
            try {
                lease = target.lease();
                uri = (lease != null ? lease.endpoint() : fixed).resolve(path);
                outcome = attempt(uri, request.build(uri), deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException(Reason.INTERRUPTED, "interrupted before " + path + " was answered", e);
            } finally {
                if (lease != null) {
                    lease.close();
                }
            }
            if (outcome instanceof Reply reply) {
                outcome = classify(uri, reply, attempt);
                if (outcome instanceof Answer answer) {
                    return answer;
                }
            }
            last = (Failure) outcome;
            if (!last.retryable()) {
                throw new BackendException(last.reason(), last.message());
            }
            if (attempt < retry.maxAttempts()) {
                Duration backoff = retry.backoff(attempt, ThreadLocalRandom.current().nextDouble());
                Duration wait = last.retryAfter().map(retry::retryAfter).orElse(backoff);
                LOG.warn("attempt {}/{} failed: {}; retrying in {} ms", attempt, retry.maxAttempts(), last.message(),
                        wait.toMillis());
                sleep(wait, path);
            }
        }
        throw new BackendException(last.reason(), "gave up after %d attempts; last: %s".formatted(retry.maxAttempts(), last.message()));
    }

    /** Sends once, waiting {@code within} at the most. */
    private Outcome attempt(URI uri, HttpRequest request, Duration within) throws BackendException {
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> future = client.sendAsync(request, CappedBody.handler(MAX_BODY_BYTES));
        try {
            HttpResponse<String> response = future.get(within.toNanos(), TimeUnit.NANOSECONDS);
            return new Reply(response, Duration.ofNanos(System.nanoTime() - start));
        } catch (TimeoutException e) {
            future.cancel(true);
            return Failure.retryable(Reason.TIMEOUT, "%s %s: no complete answer within %d ms".formatted(
                    request.method(), uri, within.toMillis()));
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new BackendException(Reason.INTERRUPTED, "interrupted while waiting for " + uri, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (!(cause instanceof IOException)) {
                throw new IllegalStateException("unexpected failure sending to " + uri, cause);
            }
            if (cause instanceof CappedBody.TooLarge) {
                return new Failure(Reason.BAD_RESPONSE, "%s %s: %s".formatted(request.method(), uri, cause.getMessage()),
                        false, Optional.empty());
            }
            Reason reason = cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)
                    ? Reason.TIMEOUT : Reason.UNAVAILABLE;
            return Failure.retryable(reason, "%s %s: %s".formatted(request.method(), uri, redact(String.valueOf(cause))));
        }
    }

    /** The {@link Answer} of a 2xx with a JSON body, else the {@link Failure} the status or body means. */
    private Outcome classify(URI uri, Reply reply, int attempt) {
        HttpResponse<String> response = reply.response();
        int status = response.statusCode();
        String body = response.body();
        String where = response.request().method() + " " + uri;
        Optional<Duration> retryAfter = response.headers().firstValue("Retry-After").flatMap(Transport::parseRetryAfter);
        if (status / 100 == 2) {
            Optional<JsonNode> json = json(body);
            // SGLang answers 200 for a request it aborted (overload, a scheduler restart): the text so far,
            // with finish_reason "abort"; scored, it would count as the model's answer
            if (json.isPresent() && json.get().path("choices").path(0).path("finish_reason").asText("").equals("abort")) {
                return Failure.retryable(Reason.UNAVAILABLE, where + ": the server aborted the request (finish_reason abort)");
            }
            if (json.isPresent()) {
                return new Answer(json.get(), reply.latency(), attempt);
            }
            return Failure.retryable(Reason.BAD_RESPONSE, "%s: %d with a body that is not JSON: %s".formatted(where, status, snippet(body)));
        }
        String message = "%s: %d %s".formatted(where, status, snippet(errorText(body)));
        if (status == 429) {
            return new Failure(Reason.RATE_LIMITED, message, true, retryAfter);
        }
        if (status == 408) {
            return new Failure(Reason.TIMEOUT, message, true, retryAfter);
        }
        if (status / 100 == 5 && errorText(body).contains(CONTEXT_SHIFT_DISABLED)) {
            // llama-server before May 2025 under --no-context-shift, at the end of a slot's context: no retry helps
            return new Failure(Reason.REJECTED, message + " (the request reached the end of the slot's context, which this "
                    + "llama-server build fails instead of stopping there: give each slot more context, or use a build "
                    + "since May 2025)", false, Optional.empty());
        }
        if (status / 100 == 5 && errorText(body).contains(KV_CACHE_FULL)) {
            // the requests in flight together outgrew the KV cache their slots share; fewer in flight may fit
            return new Failure(Reason.UNAVAILABLE, message + " (the slots' requests together outgrew the KV cache: "
                    + "without --parallel, llama-server's slots share one cache of --ctx-size and each may fill all of "
                    + "it; start it with --parallel N, N the endpoint's concurrency, or lower that concurrency)", true,
                    retryAfter);
        }
        if (status / 100 == 5) {
            return new Failure(Reason.UNAVAILABLE, message, true, retryAfter);
        }
        return new Failure(Reason.REJECTED, message, false, Optional.empty());
    }

    /** {@code body} as JSON; empty when it is not JSON (an answer cut short by a proxy or a dying server). */
    private static Optional<JsonNode> json(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            return json == null || json.isMissingNode() ? Optional.empty() : Optional.of(json);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /**
     * The server's error message when the body is an error object, OpenAI's and llama-server's
     * ({@code {"error": {"message": …}}}) or SGLang's ({@code {"object": "error", "message": …}}), else
     * the body.
     */
    private static String errorText(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            JsonNode error = json == null ? null : json.get("error");
            if (error != null && error.isObject() && error.get("message") != null) {
                return error.get("message").asText();
            }
            if (error != null && error.isTextual()) {
                return error.asText();
            }
            if (json != null && json.path("message").isTextual()) {
                return json.get("message").asText();
            }
        } catch (JsonProcessingException e) {
            // not JSON: show the body itself
        }
        return body;
    }

    /** Seconds, or an HTTP date (RFC 1123); anything else is ignored. */
    static Optional<Duration> parseRetryAfter(String value) {
        String v = value.strip();
        if (v.matches("\\d{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        }
        try {
            Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private String snippet(String text) {
        String s = redact(text).strip();
        return s.length() <= SNIPPET_CHARS ? s : s.substring(0, SNIPPET_CHARS) + "...";
    }

    String redact(String text) {
        return key.map(k -> k.redact(text)).orElse(text);
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json");
        key.ifPresent(k -> b.header("Authorization", k.authorization()));
        return b;
    }

    void sleep(Duration wait, String path) throws BackendException {
        try {
            Thread.sleep(wait.toMillis(), (int) (wait.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(Reason.INTERRUPTED, "interrupted while waiting to retry " + path, e);
        }
    }
}
