package io.quantsweep.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AtomicOutput} on a real HDFS (a {@link MiniDFSCluster}), whose plain rename does not replace a file. */
class AtomicOutputOnHdfsTest {
    @TempDir
    static java.nio.file.Path dir;
    private static MiniDFSCluster cluster;
    private static FileSystem hdfs;

    @BeforeAll
    static void startHdfs() throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs = cluster.getFileSystem();
    }

    @AfterAll
    static void stopHdfs() {
        cluster.shutdown();
    }

    @Test
    void replacesAFileWhileAReaderAlwaysFindsOne() throws Exception {
        Path folder = new Path("/out");
        hdfs.mkdirs(folder);
        Path target = new Path(folder, "_run.json");
        AtomicOutput.write(hdfs, target, out -> out.write(0));
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger missing = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                try {
                    if (!hdfs.exists(target)) {
                        missing.incrementAndGet();
                    }
                } catch (IOException e) {
                    missing.incrementAndGet();
                }
            }
        });
        reader.start();
        try {
            for (int i = 1; i <= 20; i++) {
                byte[] body = {(byte) i, (byte) i};
                AtomicOutput.write(hdfs, target, out -> out.write(body));
            }
        } finally {
            done.set(true);
            reader.join();
        }
        assertEquals(0, missing.get(), "times the reader found no file");
        try (InputStream in = hdfs.open(target)) {
            assertArrayEquals(new byte[] {20, 20}, in.readAllBytes());
        }
        assertEquals(List.of("_run.json"),
                Arrays.stream(hdfs.listStatus(folder)).map(FileStatus::getPath).map(Path::getName).toList());
    }
}
