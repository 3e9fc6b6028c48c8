package io.quantsweep.eval.run;

import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.bench.StableHash;
import io.quantsweep.eval.prompt.Prompt;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One item of a benchmark with its rendered prompt, as every variant is asked it.
 *
 * <p>For {@code kld} the item is a passage and each sample is one cut of it: sample j sends the text
 * up to {@code cuts.get(j)}, a position right after a word, and reads the next-token distribution
 * there. Cuts are drawn by {@link StableHash} of the seed and the passage id among all word ends that
 * have a word after them, so every variant and every run uses the same ones.
 *
 * @param item   the benchmark item (for kld, the passage)
 * @param prompt the rendered prompt
 * @param cuts   kld only: character offsets where the passage is cut, ascending; empty otherwise
 */
public record WorkItem(Item item, Prompt prompt, List<Integer> cuts) implements Serializable {
    public WorkItem {
        Objects.requireNonNull(item, "item");
        Objects.requireNonNull(prompt, "prompt");
        cuts = List.copyOf(cuts);
    }

    /** A benchmark item asked as it is. */
    static WorkItem whole(Item item, Prompt prompt) {
        return new WorkItem(item, prompt, List.of());
    }

    /** A passage cut at up to {@code count} word ends (fewer when it has fewer). */
    static WorkItem cut(Item item, Prompt prompt, int count, long seed) {
        String text = prompt.text();
        int last = text.length() - 1;
        while (last >= 0 && Character.isWhitespace(text.charAt(last))) {
            last--;
        }
        List<Integer> ends = new ArrayList<>();
        for (int i = 1; i < last; i++) {
            if (!Character.isWhitespace(text.charAt(i - 1)) && Character.isWhitespace(text.charAt(i))) {
                ends.add(i);
            }
        }
        List<Integer> drawn = ends.stream()
                .sorted(Comparator.comparingLong((Integer i) -> StableHash.of(seed, item.id() + "@" + i))
                        .thenComparing(Comparator.naturalOrder()))
                .limit(count).sorted().toList();
        return new WorkItem(item, prompt, drawn);
    }

    /** Samples of this item: {@code k} for a benchmark item, the number of cuts for a passage. */
    int samples(int k) {
        return cuts.isEmpty() ? k : cuts.size();
    }

    /** What sample {@code sample} sends: the prompt, or the passage up to its cut. */
    String text(int sample) {
        return cuts.isEmpty() ? prompt.text() : prompt.text().substring(0, cuts.get(sample));
    }

    /** The passage's next word after cut {@code sample}, with the space before it; empty for a benchmark item. */
    String continuation(int sample) {
        if (cuts.isEmpty()) {
            return "";
        }
        String text = prompt.text();
        int i = cuts.get(sample);
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return text.substring(cuts.get(sample), i);
    }

    /** SHA-256 of the UTF-8 text, in hex: what identifies a prompt across runs. */
    static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
