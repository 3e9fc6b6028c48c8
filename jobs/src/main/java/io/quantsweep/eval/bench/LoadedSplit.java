package io.quantsweep.eval.bench;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The items of one benchmark split and the rows that were skipped as malformed. Loaders never fail on
 * a single bad row; the caller decides with {@link #requireMalformedShareAtMost} how many it accepts.
 *
 * @param name      what was loaded, for messages (e.g. {@code mmlu/data test})
 * @param items     the good items, in file order (files in name order)
 * @param malformed the skipped rows, in the same order
 */
public record LoadedSplit(String name, List<Item> items, List<MalformedRow> malformed) {
    /** How many malformed rows a failure message lists before it says "and N more". */
    static final int LISTED_IN_MESSAGE = 10;

    public LoadedSplit {
        items = List.copyOf(items);
        malformed = List.copyOf(malformed);
    }

    /** Good and malformed rows together. */
    public int rows() {
        return items.size() + malformed.size();
    }

    /** Malformed rows over all rows; 0 for an empty split. */
    public double malformedShare() {
        return rows() == 0 ? 0.0 : (double) malformed.size() / rows();
    }

    /**
     * Returns this split if its malformed share is at most {@code maxShare}, else throws with the first
     * {@value #LISTED_IN_MESSAGE} malformed rows (file:line and why) in the message. A split with no good
     * item is refused whatever the share.
     */
    public LoadedSplit requireMalformedShareAtMost(double maxShare) throws BenchmarkFormatException {
        if (!(maxShare >= 0.0 && maxShare <= 1.0)) {
            throw new IllegalArgumentException("malformed share limit must be in [0, 1], got " + maxShare);
        }
        if (items.isEmpty()) {
            throw new BenchmarkFormatException(BenchmarkFormatException.Reason.NO_DATA,
                    name + ": no usable item in " + rows() + " rows" + listing());
        }
        if (malformedShare() > maxShare) {
            throw new BenchmarkFormatException(BenchmarkFormatException.Reason.TOO_MANY_MALFORMED_ROWS,
                    String.format(Locale.ROOT, "%s: %d of %d rows malformed (%.2f%%, limit %.2f%%)%s", name,
                            malformed.size(), rows(), 100.0 * malformedShare(), 100.0 * maxShare, listing()));
        }
        return this;
    }

    private String listing() {
        if (malformed.isEmpty()) {
            return "";
        }
        String listed = malformed.stream().limit(LISTED_IN_MESSAGE).map(MalformedRow::toString)
                .collect(Collectors.joining("; ", ": ", ""));
        int more = malformed.size() - LISTED_IN_MESSAGE;
        return more > 0 ? listed + "; and " + more + " more" : listed;
    }
}
