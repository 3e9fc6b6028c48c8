package io.quantsweep.cli;

import io.quantsweep.io.HadoopFileSystems;
import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** A command-line path on the file system its scheme names; local paths without Hadoop's {@code .crc} side files. */
final class HadoopFiles {
    private HadoopFiles() {
    }

    static FileSystem fileSystem(Path path) throws IOException {
        return HadoopFileSystems.of(path, new Configuration());
    }

    /**
     * Refuses an output folder {@code dir} that is a file before any work: Hadoop's mkdirs would find it
     * only when the command writes, with a message that names no option.
     */
    static void requireFolder(String option, FileSystem fs, Path dir) throws IOException {
        try {
            if (!fs.getFileStatus(dir).isDirectory()) {
                throw new IllegalArgumentException(option + " " + dir + " is a file, not an output folder");
            }
        } catch (FileNotFoundException e) {
            // absent: the command makes it
        }
    }
}
