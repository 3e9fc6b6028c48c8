package io.quantsweep.cli;

import io.quantsweep.io.IsDirectoryException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Local input files named on the command line. */
final class InputFiles {
    private InputFiles() {
    }

    /** {@code file}, unless it is a directory: reading one fails with a bare "Is a directory" that names no path. */
    static Path regular(Path file) throws IsDirectoryException {
        if (Files.isDirectory(file)) {
            throw new IsDirectoryException(file.toString());
        }
        return file;
    }
}
