package io.quantsweep.plan;

import java.util.Objects;

/**
 * A machine to deploy on: {@code devices} accelerators of {@code memoryGib} GiB each.
 *
 * @param name how reports name it, e.g. {@code 8xH100-80GB}
 */
public record DeploymentTarget(String name, int devices, double memoryGib) {

    public DeploymentTarget {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || devices < 1 || !(memoryGib > 0) || Double.isInfinite(memoryGib)) {
            throw new IllegalArgumentException("deployment target '%s': need a name, at least one device and a positive memory, not %d x %s GiB"
                    .formatted(name, devices, memoryGib));
        }
    }

    /** Bytes of one device. */
    public long deviceBytes() {
        return Math.round(memoryGib * MemoryFit.GIB);
    }

    /**
     * Parses {@code NAME=COUNTxGIB}, e.g. {@code 4xH200=4x141}.
     *
     * @throws IllegalArgumentException naming the text when it is not of that form
     */
    public static DeploymentTarget parse(String text) {
        int eq = text.lastIndexOf('=');
        int x = text.indexOf('x', eq + 1);
        if (eq < 1 || x < 0) {
            throw new IllegalArgumentException("deployment target '" + text + "' is not NAME=COUNTxGIB, e.g. 4xH200=4x141");
        }
        try {
            return new DeploymentTarget(text.substring(0, eq), Integer.parseInt(text.substring(eq + 1, x)),
                    Double.parseDouble(text.substring(x + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("deployment target '" + text + "' is not NAME=COUNTxGIB, e.g. 4xH200=4x141", e);
        }
    }
}
