package io.quantsweep.eval.run;

import java.io.IOException;

/**
 * A sweep that stopped part way: a backend that could not be opened or a sample that still failed
 * after the backend's retries. Every sample that completed before is kept in the output, so running
 * the same command again resumes. The message names the sweep, the variant and the sample.
 */
public final class SweepFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    public SweepFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
