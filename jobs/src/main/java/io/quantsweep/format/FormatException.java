package io.quantsweep.format;

import java.io.IOException;

/**
 * Input that is not what its format says it is: a corrupt or malformed file, which the command line
 * reports as bad input (not as an I/O failure). Subclasses carry a reason enum and name the file and
 * the place.
 */
public abstract class FormatException extends IOException {
    protected FormatException(String message) {
        super(message);
    }

    protected FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
