package io.quantsweep.eval.backend;

import java.io.IOException;

/**
 * A backend that cannot do what was asked, with a {@link Reason} for callers and tests and a message
 * naming the backend, the endpoint or file, and what to do. Messages never contain an API key.
 */
public final class BackendException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why a call failed. */
    public enum Reason {
        /** The sweep needs a capability the backend does not have. */
        MISSING_CAPABILITY,
        /** The configuration is unusable: a missing API key, endpoints that disagree, a model asked for twice. */
        BAD_CONFIG,
        /** The model file is one this backend cannot load (or would run wrongly); the message gives the fix. */
        UNSUPPORTED_MODEL,
        /** An endpoint did not report healthy before the sweep. */
        UNHEALTHY,
        /** Connection failures or 5xx answers, still failing after the last retry. */
        UNAVAILABLE,
        /** No complete answer within the read timeout, still after the last retry. */
        TIMEOUT,
        /** 429 Too Many Requests, still after the last retry. */
        RATE_LIMITED,
        /** The server refused the request (4xx other than 408 and 429); not retried. */
        REJECTED,
        /** An answer that is not JSON, lacks a field, or names no allowed choice. */
        BAD_RESPONSE,
        /** The in-process engine failed. */
        ENGINE_FAILURE,
        /** The calling thread was interrupted. */
        INTERRUPTED
    }

    private final Reason reason;
    private final String detail;

    public BackendException(Reason reason, String message) {
        super(message + " [" + reason + "]");
        this.reason = reason;
        this.detail = message;
    }

    public BackendException(Reason reason, String message, Throwable cause) {
        super(message + " [" + reason + "]", cause);
        this.reason = reason;
        this.detail = message;
    }

    public Reason reason() {
        return reason;
    }

    /** The message without the reason after it. */
    public String detail() {
        return detail;
    }

    /** Whether the backend refuses its configuration or model: the sweep's input, not a failure to retry. */
    public boolean refusesInput() {
        return reason == Reason.BAD_CONFIG || reason == Reason.UNSUPPORTED_MODEL;
    }
}
