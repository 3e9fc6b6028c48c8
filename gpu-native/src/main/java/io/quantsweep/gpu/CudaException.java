package io.quantsweep.gpu;

/**
 * A CUDA driver call that failed, naming what it was doing (kernel, sizes) and the driver's error; thrown
 * instead of returning bytes that may be wrong, so that a Spark task fails and is retried.
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;

    CudaException(String what, int code, String errorName) {
        super("%s failed: %s (CUresult %d)".formatted(what, errorName, code));
        this.code = code;
    }

    /** {@code echo}, a failure that only follows from {@code first}, named after both. */
    CudaException(CudaException echo, CudaException first) {
        super("%s; the context had been lost before: %s".formatted(echo.getMessage(), first.getMessage()), echo);
        this.code = echo.code;
    }

    /** The driver's {@code CUresult}. */
    public int code() {
        return code;
    }
}
