package io.quantsweep.quantize;

/**
 * An output directory this run must not write into: not empty and not an earlier run of the same
 * arguments, an earlier run of other arguments (which would mix two runs' files), or one that a run
 * started later writes now.
 */
public final class RunConflictException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Why the directory was refused. */
    public enum Reason {
        /** Not a directory. */
        NOT_A_DIRECTORY,
        /** Not empty, and no run manifest: not a run of ours. */
        NOT_EMPTY,
        /** A run of ours with other arguments or other inputs. */
        DIFFERENT_RUN,
        /** A run manifest that cannot be read. */
        BAD_MANIFEST,
        /** Another run into the same directory started after this one, and writes it now. */
        SUPERSEDED
    }

    private final Reason reason;

    public RunConflictException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
