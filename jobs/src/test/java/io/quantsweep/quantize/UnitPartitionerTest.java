package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Partitions hold every unit once, balanced by bytes, close to where their bytes are. */
class UnitPartitionerTest {

    /** 400 units of 1..100 MB spread over 8 hosts, each unit's bytes on 3 of them. */
    private static List<UnitPartitioner.Item> items() {
        SplittableRandom r = new SplittableRandom(5);
        List<UnitPartitioner.Item> items = new ArrayList<>();
        for (int u = 0; u < 400; u++) {
            long bytes = (1 + r.nextInt(100)) * 1_000_000L;
            int h = r.nextInt(8);
            items.add(new UnitPartitioner.Item(u, bytes, Map.of("host" + h, bytes, "host" + (h + 1) % 8, bytes,
                    "host" + (h + 2) % 8, bytes / 2)));
        }
        return items;
    }

    @Test
    void everyUnitOnceAndBalancedByBytes() {
        List<UnitPartitioner.Item> items = items();
        List<UnitPartitioner.Bundle> bundles = UnitPartitioner.partition(items, 16);
        assertEquals(16, bundles.size());
        TreeSet<Integer> seen = new TreeSet<>();
        long total = 0;
        long max = 0;
        long min = Long.MAX_VALUE;
        for (UnitPartitioner.Bundle b : bundles) {
            b.units().forEach(u -> assertTrue(seen.add(u), "unit " + u + " twice"));
            assertEquals(b.units().stream().mapToLong(u -> items.get(u).bytes()).sum(), b.bytes());
            total += b.bytes();
            max = Math.max(max, b.bytes());
            min = Math.min(min, b.bytes());
        }
        assertEquals(400, seen.size());
        long mean = total / 16;
        assertTrue(max - min <= 100_000_000L + mean / 20 + 1, "spread " + (max - min) + " around " + mean);
        assertEquals(bundles, UnitPartitioner.partition(items, 16), "the same input gives the same partitions");
    }

    @Test
    void partitionsPreferTheHostsHoldingTheirBytes() {
        List<UnitPartitioner.Item> items = items();
        long local = 0;
        long total = 0;
        for (UnitPartitioner.Bundle b : UnitPartitioner.partition(items, 16)) {
            assertTrue(b.hosts().size() <= UnitPartitioner.MAX_HOSTS && !b.hosts().isEmpty());
            for (int u : b.units()) {
                total += items.get(u).bytes();
                if (items.get(u).hostBytes().containsKey(b.hosts().get(0))) {
                    local += items.get(u).bytes();
                }
            }
        }
        assertTrue(local > total / 2, "most bytes are on the partition's first host: " + local + " of " + total);
        assertEquals(3, UnitPartitioner.partition(items.subList(0, 3), 16).size(), "never an empty partition");
    }
}
