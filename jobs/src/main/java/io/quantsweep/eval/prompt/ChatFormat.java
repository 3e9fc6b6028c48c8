package io.quantsweep.eval.prompt;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How chat turns become raw text for completion endpoints and in-process llama.cpp.
 *
 * <p>DeepSeek-V3/R1's chat template: system text first, then {@code <｜User｜>} before each user
 * turn and {@code <｜Assistant｜>} before each assistant turn, which ends with
 * {@code <｜end▁of▁sentence｜>}; the prompt ends with {@code <｜Assistant｜>}. R1 additionally drops the
 * reasoning of earlier assistant turns (everything up to their last {@code </think>}) and opens the
 * reply with {@code <think>\n}, as DeepSeek recommends. The BOS text {@code <｜begin▁of▁sentence｜>} is
 * left to the backend's tokenizer.
 */
public enum ChatFormat {
    /** No chat markup: the template's raw completion text. */
    NONE("none"),
    /** DeepSeek-V3 chat. */
    DEEPSEEK_V3("deepseek-v3"),
    /** DeepSeek-R1 chat, reply opened with {@code <think>\n}. */
    DEEPSEEK_R1("deepseek-r1");

    static final String USER = "<｜User｜>";
    static final String ASSISTANT = "<｜Assistant｜>";
    static final String END_OF_SENTENCE = "<｜end▁of▁sentence｜>";

    private final String id;

    ChatFormat(String id) {
        this.id = id;
    }

    /** The name in sweep files and in {@link Prompt#templateId()}. */
    public String id() {
        return id;
    }

    /** Whether the rendered text leaves the reply inside an opened {@code <think>}. */
    public boolean prefillsThink() {
        return this == DEEPSEEK_R1;
    }

    /** The DeepSeek rendering of {@code messages}, ending with the generation prompt; not for {@link #NONE}. */
    String render(List<ChatMessage> messages) {
        if (this == NONE) {
            throw new IllegalStateException("chat format 'none' has no chat rendering");
        }
        StringBuilder s = new StringBuilder();
        for (ChatMessage m : messages) {
            if (m.role() == ChatMessage.Role.SYSTEM) {
                s.append(m.content());
            }
        }
        for (ChatMessage m : messages) {
            switch (m.role()) {
                case SYSTEM -> { }
                case USER -> s.append(USER).append(m.content());
                case ASSISTANT -> s.append(ASSISTANT).append(prefillsThink() ? Reasoning.split(m.content(), false)
                        .answer() : m.content()).append(END_OF_SENTENCE);
            }
        }
        s.append(ASSISTANT);
        if (prefillsThink()) {
            s.append(Reasoning.OPEN).append('\n');
        }
        return s.toString();
    }

    /** The format with this sweep-file name. */
    public static ChatFormat parse(String id) {
        for (ChatFormat f : values()) {
            if (f.id.equals(id)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown chat format '" + id + "', one of "
                + Arrays.stream(values()).map(ChatFormat::id).collect(Collectors.joining(", ")));
    }
}
