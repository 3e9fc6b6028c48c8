package io.quantsweep.eval.bench;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A sweep's item limit: a fixed subset of a split that depends only on the item ids and the seed, so
 * every variant sees the same items, and a larger limit keeps the items of a smaller one.
 */
public final class ItemSubset {
    private ItemSubset() {
    }

    /**
     * The {@code limit} items whose ids hash lowest under {@code seed} ({@link StableHash}), in their
     * original order; all items when {@code limit} is 0 or not below the count.
     */
    public static List<Item> of(List<Item> items, int limit, long seed) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        if (limit == 0 || limit >= items.size()) {
            return List.copyOf(items);
        }
        Set<String> kept = new HashSet<>();
        items.stream().sorted(Comparator.comparingLong((Item i) -> StableHash.of(seed, i.id())).thenComparing(Item::id))
                .limit(limit).forEach(i -> kept.add(i.id()));
        return items.stream().filter(i -> kept.contains(i.id())).toList();
    }
}
