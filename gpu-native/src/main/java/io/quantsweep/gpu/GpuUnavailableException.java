package io.quantsweep.gpu;

/** The GPU was asked for ({@link Device#GPU}) and cannot be used; the message says why. */
public final class GpuUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    GpuUnavailableException(String reason, Throwable cause) {
        super("GPU requested but unavailable: " + reason, cause);
    }
}
