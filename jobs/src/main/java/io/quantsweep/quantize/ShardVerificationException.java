package io.quantsweep.quantize;

import java.io.IOException;

/** An assembled GGUF file whose size, header or a part's bytes differ from its plan; the message names the file, part and offset. */
public final class ShardVerificationException extends IOException {
    private static final long serialVersionUID = 1L;

    public ShardVerificationException(String message) {
        super(message);
    }
}
