package io.quantsweep.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local paths get the raw file system, with permissions set as Hadoop would, by a system call. */
class HadoopFileSystemsTest {

    @TempDir
    java.nio.file.Path dir;

    @Test
    void localFilesHaveNoChecksumSideFileAndTheUmaskedPermissions() throws Exception {
        Configuration conf = new Configuration();
        conf.set("fs.permissions.umask-mode", "027");
        Path file = new Path(dir.toUri().toString(), "sub/part.bin");
        FileSystem fs = HadoopFileSystems.of(file, conf);
        assertInstanceOf(HadoopFileSystems.LocalFiles.class, fs);
        try (FSDataOutputStream out = fs.create(file, false, 4096)) {
            out.write(new byte[] {1, 2, 3});
        }
        java.nio.file.Path written = dir.resolve("sub/part.bin");
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(written));
        assertFalse(Files.exists(dir.resolve("sub/.part.bin.crc")));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("sub"))));

        fs.setPermission(file, new FsPermission((short) 0604));
        assertEquals("rw----r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
        assertEquals(new FsPermission((short) 0604), fs.getFileStatus(file).getPermission());
    }
}
