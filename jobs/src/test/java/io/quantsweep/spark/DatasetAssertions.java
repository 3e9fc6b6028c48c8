package io.quantsweep.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.collection.Iterator;
import scala.collection.Seq;

/**
 * Assertions on DataFrames, for tests run with {@link LocalSpark}.
 *
 * <p>Schemas compare by column names and types, not nullability (which the planner decides). Rows
 * are collected and compare by a canonical rendering of their values, which is stricter than
 * {@link Row#equals} and SQL equality where bit-exact results need it: floats compare as
 * {@link Float#equals} does ({@code -0.0 != 0.0}, NaN equals NaN) also inside arrays, binary by content,
 * maps by entries. Failures show where the rows differ, binary as hex.
 */
public final class DatasetAssertions {
    /** Rows listed in a failure message, at most. */
    private static final int SHOWN = 10;
    /** Characters of a rendered row shown in a failure message, at most. */
    private static final int WIDTH = 160;

    private DatasetAssertions() {
    }

    /** Same column names and types, in order. */
    public static void assertSameSchema(Dataset<Row> expected, Dataset<Row> actual) {
        assertEquals(expected.schema().catalogString(), actual.schema().catalogString(), "schema");
    }

    /** Same schema and the same rows in the same order; for ordered results ({@code ORDER BY}). */
    public static void assertSameRows(Dataset<Row> expected, Dataset<Row> actual) {
        assertSameSchema(expected, actual);
        List<String> e = rendered(expected);
        List<String> a = rendered(actual);
        for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
            String x = e.get(i);
            String y = a.get(i);
            if (!x.equals(y)) {
                int at = IntStream.range(0, Math.min(x.length(), y.length())).filter(k -> x.charAt(k) != y.charAt(k))
                        .findFirst().orElse(Math.min(x.length(), y.length()));
                fail("row %d differs at character %d:%n expected %s%n   actual %s"
                        .formatted(i, at, window(x, at), window(y, at)));
            }
        }
        assertEquals(e.size(), a.size(), "row count");
    }

    /** Same schema and the same rows, each as often, in any order. */
    public static void assertSameRowsAnyOrder(Dataset<Row> expected, Dataset<Row> actual) {
        assertSameSchema(expected, actual);
        Map<String, Integer> balance = new HashMap<>();
        rendered(expected).forEach(r -> balance.merge(r, 1, Integer::sum));
        rendered(actual).forEach(r -> balance.merge(r, -1, Integer::sum));
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        balance.forEach((row, n) -> {
            for (int i = 0; i < Math.abs(n); i++) {
                (n > 0 ? missing : unexpected).add(row);
            }
        });
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            fail("%d rows missing, %d unexpected (at most %d of each shown)%n missing:%n%s%n unexpected:%n%s"
                    .formatted(missing.size(), unexpected.size(), SHOWN, lines(missing), lines(unexpected)));
        }
    }

    private static List<String> rendered(Dataset<Row> ds) {
        return ds.collectAsList().stream().map(DatasetAssertions::render).toList();
    }

    private static String lines(List<String> rows) {
        return rows.stream().sorted().limit(SHOWN).map(r -> "  " + window(r, 0)).collect(Collectors.joining(System.lineSeparator()));
    }

    /** About {@link #WIDTH} characters of {@code s} around {@code at}. */
    private static String window(String s, int at) {
        int from = Math.max(0, Math.min(at - WIDTH / 2, s.length() - WIDTH));
        int to = Math.min(s.length(), from + WIDTH);
        return (from > 0 ? "…" : "") + s.substring(from, to) + (to < s.length() ? "…" : "");
    }

    /** One text per distinct value: equal texts mean equal values under this class's rules. */
    private static String render(Object v) {
        if (v == null) {
            return "null";
        } else if (v instanceof byte[] b) {
            return "x'" + HexFormat.of().formatHex(b) + "'";
        } else if (v instanceof String s) {
            return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
        } else if (v instanceof BigDecimal d) {
            return d.stripTrailingZeros().toPlainString();
        } else if (v instanceof Row r) {
            return IntStream.range(0, r.length()).mapToObj(i -> render(r.get(i))).collect(Collectors.joining(", ", "(", ")"));
        } else if (v instanceof Seq<?> seq) {
            List<String> items = new ArrayList<>();
            for (Iterator<?> it = seq.iterator(); it.hasNext(); ) {
                items.add(render(it.next()));
            }
            return "[" + String.join(", ", items) + "]";
        } else if (v instanceof scala.collection.Map<?, ?> map) {
            List<String> entries = new ArrayList<>();
            for (Iterator<? extends scala.Tuple2<?, ?>> it = map.iterator(); it.hasNext(); ) {
                scala.Tuple2<?, ?> e = it.next();
                entries.add(render(e._1()) + " -> " + render(e._2()));
            }
            return entries.stream().sorted().collect(Collectors.joining(", ", "map(", ")"));
        }
        // numbers (Float/Double toString tells -0.0 from 0.0), booleans, dates, timestamps
        return v.toString();
    }
}
