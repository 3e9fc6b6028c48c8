package io.quantsweep.eval.sweep;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How the sweep runs requests, writes results and treats bad data.
 *
 * @param concurrencyPerEndpoint requests in flight per endpoint unless an endpoint says otherwise
 * @param timeout                limit for one request
 * @param retries                further tries of a failed request
 * @param retryBackoff           base wait before the first retry (doubling, with jitter, up to 30 s)
 * @param maxMalformedShare      the share of malformed benchmark rows above which loading fails
 * @param batchSize              samples per batch file (a variant's are merged when it completes): a run
 *                               that is killed loses, per variant, the requests in flight and fewer than
 *                               this many finished samples of each benchmark it was working on
 */
public record ExecutionSpec(int concurrencyPerEndpoint, Duration timeout, int retries, Duration retryBackoff,
        double maxMalformedShare, int batchSize) implements Serializable {
    /** 1 request per endpoint, 600 s, 2 retries from 500 ms, 1% malformed rows, 16 samples per file. */
    public static final ExecutionSpec DEFAULT = new ExecutionSpec(1, Duration.ofSeconds(600), 2,
            Duration.ofMillis(500), 0.01, 16);

    public ExecutionSpec {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be 1 or more, got " + batchSize);
        }
    }
}
