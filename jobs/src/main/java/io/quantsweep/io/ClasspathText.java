package io.quantsweep.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Text files the build puts on the classpath beside a class (tables, defaults copied from {@code conf/}). */
public final class ClasspathText {
    private ClasspathText() {
    }

    /**
     * The UTF-8 text of resource {@code name} relative to {@code owner}; {@code source} names it in errors.
     *
     * @throws IllegalStateException when the build left it out
     */
    public static String read(Class<?> owner, String name, String source) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(source + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": " + e.getMessage(), e);
        }
    }
}
