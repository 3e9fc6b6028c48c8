package io.quantsweep.eval.bench;

import java.io.Serializable;
import java.util.Objects;

/** A row a loader skipped, where it is and why; loaders count these instead of failing at once. */
public record MalformedRow(Location where, Reason reason, String detail) implements Serializable {
    /** Why a row was skipped. */
    public enum Reason {
        /** A CSV record with the wrong number of fields. */
        FIELD_COUNT,
        /** A quote inside an unquoted CSV field, or text after a closing quote. */
        BAD_QUOTING,
        /** A line that is not one JSON object. */
        BAD_JSON,
        /** A required field that is absent, null, blank or of the wrong JSON type. */
        MISSING_FIELD,
        /** A gold answer that is not one of the choice letters, or has no {@code ####} line (GSM8K). */
        BAD_ANSWER,
        /** An item id that an earlier row of the same split already used. */
        DUPLICATE_ID
    }

    public MalformedRow {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return where + ": " + detail + " [" + reason + "]";
    }
}
