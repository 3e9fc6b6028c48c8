package io.quantsweep.eval.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** The benchmark slices in the jobs test resources ({@code benchmarks/README.md} there). */
public final class BenchmarkSlices {
    private BenchmarkSlices() {
    }

    /** The folder of one slice set, e.g. {@code mmlu}. */
    public static Path path(String name) {
        URL url = BenchmarkSlices.class.getResource("/benchmarks/" + name);
        if (url == null) {
            throw new IllegalStateException("benchmark slice missing from jobs test resources: " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static DataDir dir(String name) {
        return DataDir.local(path(name));
    }

    /** Copies the slice set {@code name} into {@code target} (for tests that corrupt it). */
    public static Path copy(String name, Path target) {
        Path from = path(name);
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path to = target.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }
}
