package io.quantsweep.eval.run;

import java.io.IOException;

/**
 * A task attempt that finds another attempt writing its variant's samples: Spark gave up on it (its
 * executor was lost) and started a retry, while it kept running. It stops without writing; the retry's
 * samples are the variant's.
 */
public final class SupersededException extends IOException {
    private static final long serialVersionUID = 1L;

    SupersededException(String variant, String attempt, String writer) {
        super("variant %s: task attempt %s stops: attempt %s writes the variant's samples now".formatted(variant, attempt,
                writer));
    }
}
