package io.quantsweep.cli;

import io.quantsweep.io.HadoopFileSystems;
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
}
