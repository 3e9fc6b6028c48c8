package io.quantsweep.eval.prompt;

import io.quantsweep.eval.bench.Item;
import java.util.Comparator;
import java.util.List;

/** Which exemplars a prompt holds, read from its text: the pool items whose questions come before the item's own. */
public final class PromptShots {
    private PromptShots() {
    }

    /** The ids of the exemplars in {@code prompt}, the prompt of {@code item}, in prompt order. */
    public static List<String> ids(Prompt prompt, Item item, List<Item> pool) {
        String text = prompt.text();
        String before = text.substring(0, text.lastIndexOf(item.question().strip()));
        return pool.stream().filter(s -> before.contains(s.question().strip()))
                .sorted(Comparator.comparingInt(s -> before.indexOf(s.question().strip())))
                .map(Item::id).toList();
    }
}
