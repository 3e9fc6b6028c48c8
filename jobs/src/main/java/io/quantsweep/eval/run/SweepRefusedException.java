package io.quantsweep.eval.run;

/**
 * A sweep that cannot run as written, refused before (or, for a task, instead of) sending any of its
 * requests: a variant whose backend lacks what a benchmark needs, a model path that is not local, or
 * an output folder that holds samples of other settings. The message names the sweep, the variant and
 * the benchmark or sample; the cause, where there is one, is the backend's own refusal.
 */
public final class SweepRefusedException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SweepRefusedException(String message) {
        super(message);
    }

    public SweepRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
