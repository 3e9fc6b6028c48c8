package io.quantsweep.eval.bench;

/** Thrown by a row mapper to skip the row as malformed; the loader adds the location. */
final class BadRow extends Exception {
    private static final long serialVersionUID = 1L;

    final MalformedRow.Reason reason;

    BadRow(MalformedRow.Reason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    MalformedRow at(Location where) {
        return new MalformedRow(where, reason, getMessage());
    }
}
