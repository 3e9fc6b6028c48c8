package io.quantsweep.eval.backend.http;

import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.BackendException.Reason;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where the API key comes from: nowhere, an environment variable or a file (first line, trimmed).
 * The config carries only this source, never the key, so configs can be logged and shipped to
 * executors; each executor reads the key when it opens the backend.
 *
 * @param kind     NONE, ENV or FILE
 * @param location the variable name or the file path; empty for NONE
 */
public record ApiKeySource(Kind kind, String location) implements Serializable {

    /** The kinds of source. */
    public enum Kind { NONE, ENV, FILE }

    public ApiKeySource {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(location, "location");
        if ((kind == Kind.NONE) != location.isEmpty()) {
            throw new IllegalArgumentException("API key source " + kind + " needs " + (kind == Kind.NONE ? "no location" : "a location"));
        }
    }

    public static ApiKeySource none() {
        return new ApiKeySource(Kind.NONE, "");
    }

    public static ApiKeySource env(String variable) {
        return new ApiKeySource(Kind.ENV, variable);
    }

    public static ApiKeySource file(String path) {
        return new ApiKeySource(Kind.FILE, path);
    }

    Optional<ApiKey> resolve() throws BackendException {
        return resolve(System::getenv);
    }

    /** With {@code environment} in place of the process environment. */
    Optional<ApiKey> resolve(UnaryOperator<String> environment) throws BackendException {
        String secret = switch (kind) {
            case NONE -> null;
            case ENV -> {
                String v = environment.apply(location);
                if (v == null || v.isBlank()) {
                    throw new BackendException(Reason.BAD_CONFIG, "the API key variable " + location + " is not set");
                }
                yield v.strip();
            }
            case FILE -> readFile();
        };
        return Optional.ofNullable(secret).map(ApiKey::new);
    }

    private String readFile() throws BackendException {
        String text;
        try {
            text = Files.readString(Path.of(location), StandardCharsets.UTF_8);
        } catch (IOException e) {
            // the exception names only the file, never its content
            throw new BackendException(Reason.BAD_CONFIG, "cannot read the API key file " + location + ": " + e, e);
        }
        String line = text.lines().findFirst().orElse("").strip();
        if (line.isEmpty()) {
            throw new BackendException(Reason.BAD_CONFIG, "the API key file " + location + " is empty");
        }
        return line;
    }
}
