package io.quantsweep.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ItemSubsetTest {
    @Test
    void aFixedSubsetInFileOrderThatGrowsWithTheLimit() throws IOException {
        List<Item> items = JsonlLoader.GSM8K.load(BenchmarkSlices.dir("gsm8k"), "train").items();
        List<Item> three = ItemSubset.of(items, 3, 7);
        List<Item> five = ItemSubset.of(items, 5, 7);
        assertEquals(3, three.size());
        assertEquals(three, ItemSubset.of(items, 3, 7));
        assertTrue(five.containsAll(three));
        assertEquals(items.stream().filter(five::contains).toList(), five, "file order is kept");
        assertEquals(items, ItemSubset.of(items, 0, 7));
        assertEquals(items, ItemSubset.of(items, 8, 7));
        Set<List<Item>> draws = new HashSet<>();
        for (long seed = 0; seed < 5; seed++) {
            draws.add(ItemSubset.of(items, 4, seed));
        }
        assertTrue(draws.size() > 1, "the seed changes the subset");
        assertThrows(IllegalArgumentException.class, () -> ItemSubset.of(items, -1, 7));
    }

    @Test
    void theHashIsFixed() {
        // pinned (values from an independent Python implementation) so that a changed hash, and with it
        // every exemplar draw and item subset, cannot pass unnoticed
        assertEquals(0xaf63dc4c8601ec8cL, StableHash.fnv1a("a"));
        assertEquals(0x6ead2791050c3779L, StableHash.of(1234, "abstract_algebra/0"));
    }
}
