package io.quantsweep.eval.backend.http;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * When to try a request again: after a connection failure, a timeout, a 408, a 429, a 5xx or an
 * answer that is not JSON; never after another 4xx. The n-th retry waits {@code b/2 + U(0, b/2)}
 * with {@code b = min(maxBackoff, initialBackoff * 2^(n-1))} (exponential backoff with jitter), or,
 * when the server sent {@code Retry-After}, that long, but at most {@code maxRetryAfter}.
 *
 * @param maxAttempts   attempts in all, the first included; 1 never retries
 * @param initialBackoff base wait before the first retry
 * @param maxBackoff    cap of the base wait
 * @param maxRetryAfter cap of a server's {@code Retry-After}
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter)
        implements Serializable {

    /** 5 attempts, waits from 0.5 s doubling to 30 s, Retry-After honoured up to 2 minutes. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(30),
            Duration.ofMinutes(2));

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, not " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0 || maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff and maxRetryAfter >= 0, not %s, %s, %s"
                    .formatted(initialBackoff, maxBackoff, maxRetryAfter));
        }
    }

    /**
     * The wait before retry number {@code retry} (1 for the first).
     *
     * @param uniform a number in [0, 1) that picks the jitter
     */
    Duration backoff(int retry, double uniform) {
        long base = initialBackoff.toNanos();
        for (int i = 1; i < retry && base < maxBackoff.toNanos(); i++) {
            base *= 2;
        }
        base = Math.min(base, maxBackoff.toNanos());
        return Duration.ofNanos(base / 2 + (long) (uniform * (base - base / 2)));
    }

    /** The wait a server asked for, capped at {@link #maxRetryAfter}. */
    Duration retryAfter(Duration asked) {
        return asked.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : asked;
    }
}
