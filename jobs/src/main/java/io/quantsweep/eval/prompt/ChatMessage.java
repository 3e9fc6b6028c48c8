package io.quantsweep.eval.prompt;

import java.util.Objects;

/** One turn of a chat, as {@link ChatFormat#render} puts it in a model's markup. */
record ChatMessage(Role role, String content) {
    /** Who speaks. */
    enum Role {
        SYSTEM, USER, ASSISTANT
    }

    ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}
