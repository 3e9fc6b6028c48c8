package io.quantsweep.eval.prompt;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/** One turn of a chat request, as an OpenAI-style chat endpoint takes it. */
public record ChatMessage(Role role, String content) implements Serializable {
    /** Who speaks. */
    public enum Role {
        SYSTEM, USER, ASSISTANT;

        /** The name chat APIs use: {@code system}, {@code user}, {@code assistant}. */
        public String apiName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}
