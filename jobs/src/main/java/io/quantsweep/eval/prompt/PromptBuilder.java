package io.quantsweep.eval.prompt;

import io.quantsweep.eval.bench.Item;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Renders n-shot prompts of one benchmark: a template, a chat format, and exemplars drawn from a
 * few-shot pool.
 *
 * <p>Raw text without chat markup ({@link ChatFormat#NONE}) is the description, then per exemplar
 * {@code question + delimiter + answer} followed by a blank line, then the question block. Chat turns
 * are one user turn (question block) and one assistant turn (answer) per exemplar, then the question as
 * the last user turn, after the description as a system turn (as lm-evaluation-harness sends it under a
 * chat template). With a DeepSeek chat format the raw
 * text is those turns in DeepSeek's markup.
 */
public final class PromptBuilder implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final String SHOT_SEPARATOR = "\n\n";

    private final PromptTemplate template;
    private final ChatFormat chat;
    private final ShotSelection.Exemplars exemplars;

    /** @param exemplars each question's exemplars ({@link ShotSelection#prepare}) */
    public PromptBuilder(PromptTemplate template, ChatFormat chat, ShotSelection.Exemplars exemplars) {
        this.template = Objects.requireNonNull(template, "template");
        this.chat = Objects.requireNonNull(chat, "chat");
        this.exemplars = Objects.requireNonNull(exemplars, "exemplars");
    }

    /** {@code <template>+<chat format>}. */
    public String templateId() {
        return template.id() + "+" + chat.id();
    }

    /** The prompt for one item. */
    public Prompt build(Item item) {
        if (template.multipleChoice() && !item.multipleChoice()) {
            throw new IllegalArgumentException(item.where() + ": template '" + template.id()
                    + "' needs choices, item '" + item.id() + "' has none");
        }
        List<Item> shots = exemplars.of(item);
        List<ChatMessage> messages = new ArrayList<>();
        String description = template.description(item);
        if (!description.isEmpty()) {
            // as lm-evaluation-harness sends it under a chat template: a system turn, not the first user turn's start
            messages.add(ChatMessage.system(description));
        }
        StringBuilder raw = new StringBuilder(description);
        for (Item shot : shots) {
            messages.add(ChatMessage.user(template.question(shot)));
            messages.add(ChatMessage.assistant(template.answer(shot)));
            raw.append(template.question(shot)).append(template.delimiter()).append(template.answer(shot))
                    .append(SHOT_SEPARATOR);
        }
        messages.add(ChatMessage.user(template.question(item)));
        raw.append(template.question(item));
        String text = chat == ChatFormat.NONE ? raw.toString() : chat.render(messages);
        return new Prompt(templateId(), text, chat.prefillsThink());
    }
}
