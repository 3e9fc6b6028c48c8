package io.quantsweep.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Text that a format says is UTF-8, decoded without repair: a malformed byte is an error, not U+FFFD.
 * JSON parsers given bytes guess their encoding (UTF-16 and UTF-32 too), so the JSON of checkpoints and
 * model folders is decoded here first.
 */
public final class StrictUtf8 {
    private StrictUtf8() {
    }

    public static String decode(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }
}
