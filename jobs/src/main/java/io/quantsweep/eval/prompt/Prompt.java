package io.quantsweep.eval.prompt;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A rendered prompt for one item, in both shapes a backend may need.
 *
 * @param templateId    {@code <template>+<chat format>}, e.g. {@code mmlu-lm-eval+none}; recorded on every sample
 * @param text          the raw text for completion endpoints and in-process llama.cpp (no BOS: the backend's
 *                      tokenizer adds it, as llama.cpp does for DeepSeek models)
 * @param messages      the same prompt as chat turns, for chat endpoints that apply their own template
 * @param thinkPrefilled whether {@code text} ends inside an opened {@code <think>} block, so the reply starts
 *                      with reasoning (see {@link Reasoning#split})
 * @param shotIds       ids of the exemplars, in prompt order
 */
public record Prompt(String templateId, String text, List<ChatMessage> messages, boolean thinkPrefilled,
        List<String> shotIds) implements Serializable {
    public Prompt {
        Objects.requireNonNull(templateId, "templateId");
        Objects.requireNonNull(text, "text");
        messages = List.copyOf(messages);
        shotIds = List.copyOf(shotIds);
    }
}
