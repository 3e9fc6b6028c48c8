package io.quantsweep.io;

import java.nio.file.FileSystemException;

/**
 * A directory where a file was expected: the JDK has {@link java.nio.file.NotDirectoryException} but no
 * converse, and reading or renaming over a directory fails with a bare "Is a directory" or "Directory
 * not empty" that names no path, or only a temporary file's.
 */
public final class IsDirectoryException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    public IsDirectoryException(String file) {
        super(file, null, "is a directory, not a file");
    }
}
