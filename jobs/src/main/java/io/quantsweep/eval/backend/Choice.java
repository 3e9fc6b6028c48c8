package io.quantsweep.eval.backend;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * The answer a grammar-constrained greedy decode picked among the allowed choices.
 *
 * @param index   position of {@link #text} in the choices asked about
 * @param text    the chosen answer, exactly as given
 * @param latency  wall time of the call that succeeded
 * @param attempts tries it took, the one that succeeded included (1 without retries)
 */
public record Choice(int index, String text, Duration latency, int attempts) implements Serializable {
    public Choice {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(latency, "latency");
        if (index < 0) {
            throw new IllegalArgumentException("choice index must be >= 0, not " + index);
        }
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, not " + attempts);
        }
    }
}
