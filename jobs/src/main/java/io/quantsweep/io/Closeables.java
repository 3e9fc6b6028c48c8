package io.quantsweep.io;

import java.io.Closeable;
import java.io.IOException;

/** Closing resources that are held together, such as the shards of one model. */
public final class Closeables {
    private Closeables() {
    }

    /**
     * Closes each of {@code all}, going on past a failure so that no other stays open, then throws the first
     * failure with the later ones suppressed in it.
     */
    public static void closeAll(Iterable<? extends Closeable> all) throws IOException {
        IOException first = null;
        for (Closeable c : all) {
            try {
                c.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
