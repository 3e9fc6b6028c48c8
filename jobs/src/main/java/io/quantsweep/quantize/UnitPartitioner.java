package io.quantsweep.quantize;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Spreads units over partitions balanced by the bytes they read, preferring to keep a unit with other
 * units whose bytes live on the same host, and names each partition's preferred hosts: the hosts
 * that hold most of its bytes (what {@code SparkContext.makeRDD} takes as locations).
 *
 * <p>Greedy longest-processing-time: units in decreasing size go to the least loaded partition,
 * unless a partition "at home" on the unit's main host is within a small slack of that load. Every
 * partition ends within one unit of the balanced load plus the slack; the result depends only on
 * its inputs.
 */
public final class UnitPartitioner {
    /** Hosts named per partition. */
    static final int MAX_HOSTS = 3;
    /** A partition at home on a unit's host may be this share of the mean load above the least loaded one. */
    private static final double LOCALITY_SLACK = 0.05;

    /** The units of one partition (ascending), the bytes they read, and the hosts to prefer. */
    public record Bundle(List<Integer> units, long bytes, List<String> hosts) implements Serializable {
        public Bundle {
            units = List.copyOf(units);
            hosts = List.copyOf(hosts);
        }
    }

    /** One unit to place: its number, the bytes it reads, and the bytes of those each host holds. */
    public record Item(int unit, long bytes, Map<String, Long> hostBytes) {
        public Item {
            hostBytes = Map.copyOf(hostBytes);
        }

        String mainHost() {
            String best = null;
            long most = 0;
            for (Map.Entry<String, Long> e : hostBytes.entrySet()) {
                if (e.getValue() > most || (e.getValue() == most && best != null && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    most = e.getValue();
                }
            }
            return best;
        }
    }

    private UnitPartitioner() {
    }

    /** At most {@code partitions} non-empty bundles holding every item once. */
    public static List<Bundle> partition(List<Item> items, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be positive, not " + partitions);
        }
        int p = Math.min(partitions, items.size());
        List<Item> order = new ArrayList<>(items);
        order.sort(Comparator.comparingLong(Item::bytes).reversed().thenComparingInt(Item::unit));
        long total = 0;
        for (Item i : items) {
            total += i.bytes();
        }
        long slack = (long) (LOCALITY_SLACK * total / Math.max(1, p));
        long[] load = new long[p];
        String[] home = new String[p];
        List<List<Item>> members = new ArrayList<>();
        for (int k = 0; k < p; k++) {
            members.add(new ArrayList<>());
        }
        for (Item item : order) {
            int least = 0;
            for (int k = 1; k < p; k++) {
                if (load[k] < load[least]) {
                    least = k;
                }
            }
            String host = item.mainHost();
            int chosen = least;
            if (host != null) {
                int atHome = -1;
                for (int k = 0; k < p; k++) {
                    if (host.equals(home[k]) && (atHome < 0 || load[k] < load[atHome])) {
                        atHome = k;
                    }
                }
                if (atHome >= 0 && load[atHome] - load[least] <= slack) {
                    chosen = atHome;
                }
                if (home[chosen] == null) {
                    home[chosen] = host;
                }
            }
            load[chosen] += item.bytes();
            members.get(chosen).add(item);
        }
        List<Bundle> bundles = new ArrayList<>(p);
        for (int k = 0; k < p; k++) {
            bundles.add(bundle(members.get(k), load[k]));
        }
        return bundles;
    }

    private static Bundle bundle(List<Item> items, long bytes) {
        Map<String, Long> byHost = new HashMap<>();
        List<Integer> units = new ArrayList<>();
        for (Item i : items) {
            units.add(i.unit());
            i.hostBytes().forEach((h, b) -> byHost.merge(h, b, Long::sum));
        }
        units.sort(null);
        List<String> hosts = byHost.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(MAX_HOSTS).map(Map.Entry::getKey).toList();
        return new Bundle(units, bytes, hosts);
    }
}
