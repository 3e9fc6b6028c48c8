package io.quantsweep.eval.sweep;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How the sweep runs requests and treats bad data.
 *
 * @param concurrencyPerEndpoint requests in flight per endpoint unless an endpoint says otherwise
 * @param timeout                limit for one request
 * @param retries                further tries of a failed request
 * @param maxMalformedShare      the share of malformed benchmark rows above which loading fails
 */
public record ExecutionSpec(int concurrencyPerEndpoint, Duration timeout, int retries, double maxMalformedShare)
        implements Serializable {
    /** 1 request per endpoint, 600 s, 2 retries, 1% malformed rows. */
    public static final ExecutionSpec DEFAULT = new ExecutionSpec(1, Duration.ofSeconds(600), 2, 0.01);

    public ExecutionSpec {
        Objects.requireNonNull(timeout, "timeout");
    }
}
