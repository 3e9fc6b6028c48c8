package io.quantsweep.eval.backend;

import java.io.Serializable;

/**
 * How to reach a backend: small and serializable, so that the driver can check it and ship it to
 * executors, where {@link #open()} builds the {@link Backend}.
 */
public interface BackendConfig extends Serializable {

    /** What backends opened from this config can do; known without opening one. */
    Capabilities capabilities();

    /** A short name for messages, e.g. "http vllm (2 endpoints)". */
    String describe();

    /**
     * The context, in tokens, that this config gives the model where the sweep sets it; 0 where it is
     * the model's own or the server's, known only once they are asked.
     */
    default int contextSize() {
        return 0;
    }

    /** Opens the backend: loads the model or checks the servers' health, and reads their build. */
    Backend open() throws BackendException;

    /**
     * Checks, without opening the backend, what it would refuse when opened from a machine with the
     * executors' disks, such as a model file it cannot run. Nothing by default: a server is known
     * only once it is asked.
     */
    default void preflight() throws BackendException {
    }

    /**
     * Refuses a sweep that needs what this backend cannot do, before anything is opened or sent.
     */
    default void requireCapabilities(Capability... needed) throws BackendException {
        capabilities().require(describe(), needed);
    }
}
