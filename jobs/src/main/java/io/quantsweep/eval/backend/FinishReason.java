package io.quantsweep.eval.backend;

/** Why generation ended. */
public enum FinishReason {
    /** An end-of-sequence token or a stop string. */
    STOP,
    /** The token budget ({@code maxTokens}) ran out: the text may be cut short. */
    LENGTH,
    /** The server named another reason, or none. */
    UNKNOWN
}
