package io.quantsweep.cli;

import io.quantsweep.io.IsDirectoryException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Local input files named on the command line. */
final class InputFiles {
    private InputFiles() {
    }

    /**
     * A pipe, FIFO, socket or device where a file read by position was expected. An
     * {@link IllegalArgumentException}, so that the command exits with the bad-input status.
     */
    static final class NotRegularFileException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        NotRegularFileException(String file, String reader) {
            super(file + " is not a regular file (a pipe, FIFO, socket or device): " + reader
                    + " needs a file it can seek in; copy it to a file first");
        }
    }

    /**
     * {@code file}, unless it is a directory: reading one fails with a bare "Is a directory" that names no
     * path. For text read start to end (YAML), which a pipe such as {@code <(cat f)} serves as well.
     */
    static Path regular(Path file) throws IsDirectoryException {
        if (Files.isDirectory(file)) {
            throw new IsDirectoryException(file.toString());
        }
        return file;
    }

    /**
     * {@code file}, which {@code reader} (as "the GGUF reader") reads by position, unless it is a
     * directory or not a regular file. A pipe has no size and cannot seek, so a reader would call
     * {@code <(cat f.gguf)} an empty, truncated file; and opening a FIFO blocks until something writes
     * to it, so this looks at the file's attributes (following links, as /dev/fd/N is one) and never
     * opens it.
     *
     * @throws java.nio.file.NoSuchFileException when there is no such file
     */
    static Path seekable(Path file, String reader) throws IOException {
        check(file, file.toString(), reader);
        return file;
    }

    /**
     * {@link #seekable(Path, String)} for a path that may name any Hadoop file system. A {@code file:}
     * path is checked. A path without a scheme is checked where a local file of that name exists: the
     * default file system may be another ({@code spark.hadoop.fs.defaultFS}), whose files the reader
     * finds. Other schemes ({@code hdfs:}, {@code s3a:}) hold no pipes or devices.
     */
    static void seekable(org.apache.hadoop.fs.Path path, String reader) throws IOException {
        URI uri = path.toUri();
        Path local = Path.of(uri.getPath());
        if ("file".equals(uri.getScheme()) || uri.getScheme() == null && Files.exists(local)) {
            check(local, path.toString(), reader);
        }
    }

    private static void check(Path file, String shown, String reader) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            // named as given, not as the absolute path a Hadoop path resolved to
            throw new NoSuchFileException(shown);
        }
        if (a.isDirectory()) {
            throw new IsDirectoryException(shown);
        }
        if (!a.isRegularFile()) {
            throw new NotRegularFileException(shown, reader);
        }
    }
}
