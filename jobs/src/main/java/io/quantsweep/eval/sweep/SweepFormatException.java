package io.quantsweep.eval.sweep;

import io.quantsweep.format.FormatException;

/** A sweep file that does not parse or does not validate; the message starts with {@code file:line: }. */
public final class SweepFormatException extends FormatException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;

    /** @param line 1-based line of the offending key or value */
    public SweepFormatException(String file, int line, String detail) {
        super(file + ":" + line + ": " + detail);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }
}
