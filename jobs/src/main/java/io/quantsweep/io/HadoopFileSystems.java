package io.quantsweep.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The file system a path's scheme names; local paths without Hadoop's {@code .crc} side files and
 * without a {@code chmod} process per file ({@link LocalFiles}).
 */
public final class HadoopFileSystems {
    private HadoopFileSystems() {
    }

    public static FileSystem of(Path path, Configuration conf) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        if (fs instanceof LocalFileSystem local) {
            LocalFiles files = new LocalFiles();
            files.initialize(local.getRawFileSystem().getUri(), conf);
            return files;
        }
        return fs;
    }

    /**
     * Hadoop's raw local file system, except that permissions are set by a system call. Without
     * Hadoop's native library, {@link RawLocalFileSystem} runs a {@code chmod} process for every file
     * it creates and every directory it makes: a quantize run writes two files per unit, and those
     * processes took longer than writing the bytes.
     */
    static final class LocalFiles extends RawLocalFileSystem {
        private static final PosixFilePermission[] BITS = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

        @Override
        public void setPermission(Path p, FsPermission permission) throws IOException {
            Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
            for (int bit = 0; bit < BITS.length; bit++) {
                if ((permission.toShort() >> bit & 1) != 0) {
                    set.add(BITS[bit]);
                }
            }
            try {
                Files.setPosixFilePermissions(pathToFile(p).toPath(), set);
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system (Windows): Hadoop's own way
                super.setPermission(p, permission);
            }
        }
    }
}
