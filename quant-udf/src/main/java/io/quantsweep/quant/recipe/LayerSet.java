package io.quantsweep.quant.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The layers a recipe rule is limited to, written as a comma-separated list of {@code N},
 * {@code A-B} (inclusive) or {@code A-B/S} (every S-th layer from A to B): {@code "3-4"},
 * {@code "5-60/5"}, {@code "0-6, 9-51/3, 53-60"}. {@link #ANY} matches every tensor, with or without
 * a layer; any other set matches only {@code blk.N.} tensors whose N it contains.
 */
public record LayerSet(String text, List<Span> spans) {

    /** The largest layer number a set may name; far above any real model and keeps sums in range. */
    public static final int MAX_LAYER = 1 << 20;

    /** No layer restriction. */
    public static final LayerSet ANY = new LayerSet("any", List.of());

    private static final Pattern ITEM = Pattern.compile("(\\d{1,9})(?:-(\\d{1,9})(?:/(\\d{1,9}))?)?");

    /** Layers {@code first, first+step, ...} up to {@code last}. */
    public record Span(int first, int last, int step) {
        public Span {
            if (first < 0 || last > MAX_LAYER || first > last || step < 1) {
                throw new IllegalArgumentException(
                        "layers %d-%d/%d: need 0 <= first <= last <= %d and step >= 1".formatted(first, last, step, MAX_LAYER));
            }
        }

        boolean contains(int layer) {
            return layer >= first && layer <= last && (layer - first) % step == 0;
        }
    }

    public LayerSet {
        Objects.requireNonNull(text, "text");
        spans = List.copyOf(spans);
    }

    /**
     * Parses a layer list.
     *
     * @throws IllegalArgumentException naming the item that is not {@code N}, {@code A-B} or
     *     {@code A-B/S}, or a range that is empty or out of bounds
     */
    public static LayerSet parse(String text) {
        List<Span> spans = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            String s = item.strip();
            Matcher m = ITEM.matcher(s);
            if (!m.matches()) {
                throw new IllegalArgumentException("layer item '%s' is not N, A-B or A-B/S".formatted(s));
            }
            int first = Integer.parseInt(m.group(1));
            int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
            int step = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
            spans.add(new Span(first, last, step));
        }
        return new LayerSet(text.strip(), spans);
    }

    /** True for {@link #ANY}. */
    public boolean isAny() {
        return spans.isEmpty();
    }

    /** Whether a tensor of layer {@code layer} (-1 for none) is in the set. */
    public boolean contains(int layer) {
        if (isAny()) {
            return true;
        }
        for (Span s : spans) {
            if (s.contains(layer)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
