package io.quantsweep.eval.backend;

import java.io.Serializable;
import java.util.Objects;

/** A token's text and its natural-log probability. */
public record TokenLogprob(String token, double logprob) implements Serializable {
    public TokenLogprob {
        Objects.requireNonNull(token, "token");
        if (Double.isNaN(logprob) || logprob > 0) {
            throw new IllegalArgumentException("log-probability of '%s' must be <= 0, not %s".formatted(token, logprob));
        }
    }
}
