package io.quantsweep.eval.backend.http;

import java.util.Objects;

/**
 * A secret sent as {@code Authorization: Bearer ...}. It is never printed: {@link #toString} hides it
 * and {@link #redact} removes it from any text that goes into a message or a log (a server may echo
 * request headers in its error bodies).
 */
final class ApiKey {
    private static final String HIDDEN = "[redacted]";
    private final String secret;

    ApiKey(String secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.isBlank()) {
            throw new IllegalArgumentException("empty API key");
        }
        this.secret = secret;
    }

    String authorization() {
        return "Bearer " + secret;
    }

    /** {@code text} with every occurrence of the key replaced. */
    String redact(String text) {
        return text.replace(secret, HIDDEN);
    }

    @Override
    public String toString() {
        return "ApiKey" + HIDDEN;
    }
}
