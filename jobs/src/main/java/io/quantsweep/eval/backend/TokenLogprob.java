package io.quantsweep.eval.backend;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** A token's text and its natural-log probability. */
public record TokenLogprob(String token, double logprob) implements Serializable {
    public TokenLogprob {
        Objects.requireNonNull(token, "token");
        if (Double.isNaN(logprob) || logprob > 0) {
            throw new IllegalArgumentException("log-probability of '%s' must be <= 0, not %s".formatted(token, logprob));
        }
    }

    /**
     * What a token with the bytes {@code piece} is known by: its text where the bytes are whole UTF-8
     * characters, else {@link #byteKey}. A token that ends inside a character has no text of its own,
     * and two such tokens must not count as one.
     */
    public static String key(byte[] piece) {
        String text = wholeCharacters(piece);
        return text != null ? text : byteKey(piece);
    }

    /** {@code piece} written as the tokenizer writes byte tokens: {@code <0xE4><0xB8>}. */
    public static String byteKey(byte[] piece) {
        StringBuilder key = new StringBuilder();
        for (byte x : piece) {
            key.append("<0x%02X>".formatted(x & 0xff));
        }
        return key.toString();
    }

    /** The text of {@code b}, or null where it is not whole UTF-8 characters. */
    public static String wholeCharacters(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
