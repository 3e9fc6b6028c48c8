package io.quantsweep.eval.prompt;

import java.io.Serializable;
import java.util.Objects;

/**
 * A rendered prompt for one item.
 *
 * @param templateId    {@code <template>+<chat format>}, e.g. {@code mmlu-lm-eval+none}; recorded on every sample
 * @param text          what every backend is sent: the prompt of completion endpoints and in-process llama.cpp,
 *                      the one user turn of chat endpoints (no BOS: the backend's tokenizer adds it, as
 *                      llama.cpp does for DeepSeek models)
 * @param thinkPrefilled whether {@code text} ends inside an opened {@code <think>} block, so the reply starts
 *                      with reasoning (see {@link Reasoning#split})
 */
public record Prompt(String templateId, String text, boolean thinkPrefilled) implements Serializable {
    public Prompt {
        Objects.requireNonNull(templateId, "templateId");
        Objects.requireNonNull(text, "text");
    }
}
