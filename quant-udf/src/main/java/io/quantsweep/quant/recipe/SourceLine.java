package io.quantsweep.quant.recipe;

import java.util.Objects;

/**
 * Where a piece of a recipe was written: a file (or a built-in name) and a 1-based line, 0 when the
 * piece has no line (a mixture built into the code, a {@code pure:} variant).
 */
public record SourceLine(String source, int line) {

    public SourceLine {
        Objects.requireNonNull(source, "source");
        if (line < 0) {
            throw new IllegalArgumentException("line " + line + " of " + source);
        }
    }

    /** A source without a line. */
    public static SourceLine of(String source) {
        return new SourceLine(source, 0);
    }

    /** {@code file:line}, or just the source when there is no line. */
    @Override
    public String toString() {
        return line == 0 ? source : source + ":" + line;
    }
}
