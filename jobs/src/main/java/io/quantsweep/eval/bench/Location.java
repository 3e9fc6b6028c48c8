package io.quantsweep.eval.bench;

import java.io.Serializable;
import java.util.Objects;

/** A place in a benchmark file: the file as {@link DataDir#describe} names it and a 1-based line. */
public record Location(String file, long line) implements Serializable {
    public Location {
        Objects.requireNonNull(file, "file");
        if (line < 1) {
            throw new IllegalArgumentException("line must be 1 or more, got " + line);
        }
    }

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
