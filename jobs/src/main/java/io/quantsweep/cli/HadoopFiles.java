package io.quantsweep.cli;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/** A command-line path on the file system its scheme names; local paths without Hadoop's {@code .crc} side files. */
final class HadoopFiles {
    private HadoopFiles() {
    }

    static FileSystem fileSystem(Path path) throws IOException {
        FileSystem fs = path.getFileSystem(new Configuration());
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }
}
