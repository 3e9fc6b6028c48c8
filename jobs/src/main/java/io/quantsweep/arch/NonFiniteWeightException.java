package io.quantsweep.arch;

import io.quantsweep.format.safetensors.SafetensorsCheckpoint;

/**
 * A weight the codecs would refuse as not finite, named where a user can find it: the checkpoint's file
 * that holds it, the output tensor's row and column, and the checkpoint tensor that row was read from.
 */
public final class NonFiniteWeightException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Why a weight read as NaN or infinity is refused. */
    public static final String MUST_BE_FINITE = "weights must be finite";

    /**
     * @param value the value refused, or the checkpoint's value that became it
     * @param rule  why it is refused and what to do
     */
    public NonFiniteWeightException(SafetensorsCheckpoint checkpoint, OutputTensor t, long row, long column, float value,
            String rule) {
        super("%s: output tensor '%s' has value %s at row %d, column %d (read from '%s'); %s"
                .formatted(checkpoint.fileOf(t.sourceOf(row)), t.name(), value, row, column, t.sourceOf(row), rule));
    }
}
