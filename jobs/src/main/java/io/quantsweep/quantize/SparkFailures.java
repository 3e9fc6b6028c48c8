package io.quantsweep.quantize;

import io.quantsweep.gpu.GpuUnavailableException;
import java.io.IOException;
import org.apache.spark.SparkException;

/**
 * Turns a failed Spark job back into the failure of its task, so that the command line reports
 * "no space left on device" or "value NaN at row 5" rather than Spark's stage summary: the first
 * cause of a {@link SparkException} that is one of the failures QuantSweep names (I/O, bad input, no
 * GPU, an injected test fault) is rethrown.
 */
final class SparkFailures {
    private SparkFailures() {
    }

    /**
     * @return the unchecked failure to throw
     * @throws IOException the task's I/O failure or unreadable input
     */
    static RuntimeException unwrap(Exception e) throws IOException {
        if (!(e instanceof SparkException)) {
            if (e instanceof RuntimeException r) {
                return r;
            }
            if (e instanceof IOException io) {
                throw io;
            }
        }
        for (Throwable c = e.getCause(); c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof IllegalArgumentException || c instanceof GpuUnavailableException
                    || c instanceof UnitTasks.InjectedFault) {
                return (RuntimeException) c;
            }
        }
        return new IllegalStateException("Spark job failed: " + e.getMessage(), e);
    }
}
