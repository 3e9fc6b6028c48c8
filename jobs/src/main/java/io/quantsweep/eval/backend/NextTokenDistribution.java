package io.quantsweep.eval.backend;

import java.io.Serializable;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The K most probable next tokens after a prompt with their log-probabilities (softmax of the
 * model's logits), most probable first.
 *
 * @param top     1 to K entries, sorted by log-probability, highest first (ties keep server order)
 * @param latency  wall time of the call that succeeded
 * @param attempts tries it took, the one that succeeded included (1 without retries)
 */
public record NextTokenDistribution(List<TokenLogprob> top, Duration latency, int attempts) implements Serializable {
    public NextTokenDistribution {
        Objects.requireNonNull(latency, "latency");
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, not " + attempts);
        }
        if (top.isEmpty()) {
            throw new IllegalArgumentException("a next-token distribution needs at least one token");
        }
        top = top.stream().sorted(Comparator.comparingDouble(TokenLogprob::logprob).reversed()).toList();
    }

    /**
     * The log-probability of {@code token}, if it is among the top K. Different token ids can share a
     * key (a backend names a token by its text, or by its bytes where the text does not spell them); this
     * gives the most probable of them.
     */
    public OptionalDouble logprob(String token) {
        return top.stream().filter(t -> t.token().equals(token)).mapToDouble(TokenLogprob::logprob).findFirst();
    }

    /** Token text to log-probability, most probable first; a repeated text keeps its most probable entry. */
    public Map<String, Double> asMap() {
        Map<String, Double> map = new LinkedHashMap<>();
        top.forEach(t -> map.putIfAbsent(t.token(), t.logprob()));
        return map;
    }
}
