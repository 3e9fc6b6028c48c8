package io.quantsweep.eval.bench;

import io.quantsweep.format.FormatException;

/**
 * Benchmark data a loader refuses as a whole: a missing split, a file with the wrong header, text
 * that is not UTF-8, or more malformed rows than the sweep allows. The message names the file (and
 * line where there is one); {@link #reason()} is the stable name for tests and callers.
 */
public final class BenchmarkFormatException extends FormatException {
    private static final long serialVersionUID = 1L;

    /** Why the data was refused. */
    public enum Reason {
        /** The split's folder or file does not exist, or holds no data file. */
        NO_DATA,
        /** A CSV header row that lacks a column the loader needs. */
        BAD_HEADER,
        /** Bytes that are not UTF-8. */
        BAD_ENCODING,
        /** A quoted CSV field that is still open at the end of the file. */
        UNTERMINATED_QUOTE,
        /** More malformed rows than {@link LoadedSplit#requireMalformedShareAtMost} allows. */
        TOO_MANY_MALFORMED_ROWS
    }

    private final Reason reason;

    public BenchmarkFormatException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BenchmarkFormatException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String getMessage() {
        return super.getMessage() + " [" + reason + "]";
    }
}
