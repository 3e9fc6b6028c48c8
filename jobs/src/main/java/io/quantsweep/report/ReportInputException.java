package io.quantsweep.report;

/**
 * An output folder the report cannot use: a missing table or column, a null or mistyped value, or
 * figures that contradict each other. The message names the table, file, row and column.
 */
public final class ReportInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ReportInputException(String message) {
        super(message);
    }

    public ReportInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
