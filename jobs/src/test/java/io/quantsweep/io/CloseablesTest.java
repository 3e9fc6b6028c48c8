package io.quantsweep.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloseablesTest {
    @Test
    void closesEveryOnePastFailuresAndThrowsTheFirstWithTheRestSuppressed() {
        List<String> closed = new ArrayList<>();
        IOException a = new IOException("a");
        IOException c = new IOException("c");
        List<Closeable> all = List.of(failing("a", a, closed), () -> closed.add("b"), failing("c", c, closed),
                () -> closed.add("d"));
        IOException thrown = assertThrows(IOException.class, () -> Closeables.closeAll(all));
        assertSame(a, thrown);
        assertArrayEquals(new Throwable[] {c}, thrown.getSuppressed());
        assertEquals(List.of("a", "b", "c", "d"), closed);
    }

    private static Closeable failing(String name, IOException e, List<String> closed) {
        return () -> {
            closed.add(name);
            throw e;
        };
    }
}
