package io.quantsweep.eval.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The folder a benchmark's files live in. Loaders only list and open files through this, so a sweep
 * job can serve the same loaders from a Hadoop file system; {@link #local} is the plain-disk one.
 */
public interface DataDir {
    /**
     * Names of the regular files directly inside {@code folder} (a path relative to this directory,
     * {@code ""} for the directory itself), sorted by name; empty if the folder does not exist.
     */
    List<String> list(String folder) throws IOException;

    /** Whether {@code file} (relative to this directory) is a regular file. */
    boolean exists(String file) throws IOException;

    /** Opens {@code file} as UTF-8 text that fails with a {@code CharacterCodingException} on bad bytes. */
    Reader open(String file) throws IOException;

    /** How messages name {@code file}: this directory joined with the relative path. */
    String describe(String file);

    /** A directory on the local file system. */
    static DataDir local(Path root) {
        return new Local(root);
    }

    /** {@link DataDir} over {@code java.nio.file}. */
    record Local(Path root) implements DataDir {
        @Override
        public List<String> list(String folder) throws IOException {
            Path dir = root.resolve(folder);
            if (!Files.isDirectory(dir)) {
                return List.of();
            }
            try (Stream<Path> files = Files.list(dir)) {
                return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
            }
        }

        @Override
        public boolean exists(String file) {
            return Files.isRegularFile(root.resolve(file));
        }

        @Override
        public Reader open(String file) throws IOException {
            return new BufferedReader(new InputStreamReader(Files.newInputStream(root.resolve(file)),
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
        }

        @Override
        public String describe(String file) {
            return root.resolve(file).toString();
        }
    }
}
