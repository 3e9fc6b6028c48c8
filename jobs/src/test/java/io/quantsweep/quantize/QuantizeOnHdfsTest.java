package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.io.AtomicOutput;
import io.quantsweep.io.AtomicOutputTest;
import io.quantsweep.spark.LocalSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quantize job on a real HDFS (a {@link MiniDFSCluster}: a namenode and a datanode in this JVM): the
 * checkpoint read from {@code hdfs://} in blocks the units' ranges straddle, each file assembled there by
 * HDFS {@code concat} and verified, the same bytes as a run on the local disk, and a rerun that finds the
 * run complete. And the assembler alone: concat consumes the parts, and where the namenode refuses to
 * concat them the files are copied. The planner's locality is {@link UnitLocalityOnHdfsTest}'s.
 */
@ExtendWith(LocalSpark.class)
class QuantizeOnHdfsTest {
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
    void jobReadsAndWritesHdfsAndConcatsItsFiles(SparkSession spark) throws IOException {
        java.nio.file.Path local = TinyModel.checkpoint(dir);
        Path model = new Path(hdfs.getUri() + "/models/DeepSeek-V3-tiny");
        // in 1 MiB blocks (HDFS's smallest), so that units' byte ranges straddle blocks
        Configuration smallBlocks = new Configuration(hdfs.getConf());
        smallBlocks.setLong("dfs.blocksize", 1 << 20);
        try (FileSystem copier = FileSystem.newInstance(hdfs.getUri(), smallBlocks)) {
            copier.copyFromLocalFile(new Path(local.toUri()), model);
        }
        // 1 MiB units: 58 of them, each a part per variant (smaller units cost MiniDFS's file creations time)
        RemoteRuns.matchTheLocalDisk(spark, hdfs, model, hdfs.getUri() + "/quants/tiny", local, dir.resolve("local"),
                "concat");
    }

    @Test
    void concatConsumesThePartsAndARefusedConcatCopiesThem() throws IOException {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        ShardJob joined = job("joined", expected);
        assertEquals(ShardAssembler.Mode.AUTO, new ShardAssembler(hdfs).assemble(joined, ShardAssembler.Mode.AUTO));
        assertArrayEquals(expected.toByteArray(), read(new Path(joined.target())));
        for (ShardJob.PartRef p : joined.parts()) {
            assertFalse(hdfs.exists(new Path(p.path())), "concat moved the blocks of " + p.path());
        }

        // the namenode refuses to concat parts whose block size differs from the target's; same seed, same bytes
        ShardJob refused = job("refused", new ByteArrayOutputStream());
        Configuration small = new Configuration(hdfs.getConf());
        small.setLong("dfs.blocksize", 2 << 20);
        try (FileSystem smallBlocks = FileSystem.newInstance(hdfs.getUri(), small)) {
            assertEquals(ShardAssembler.Mode.COPY, new ShardAssembler(smallBlocks).assemble(refused, ShardAssembler.Mode.AUTO));
        }
        assertArrayEquals(expected.toByteArray(), read(new Path(refused.target())));
        for (ShardJob.PartRef p : refused.parts()) {
            assertTrue(hdfs.exists(new Path(p.path())), "a copy keeps " + p.path());
        }
        assertEquals(refused.parts().size(), hdfs.listStatus(new Path(refused.workDirectory())).length,
                "the parts and no temporary file");
    }

    @Test
    void aManifestIsReplacedInOneStep() throws Exception {
        Path target = new Path(hdfs.getUri() + "/replaced/_run.json");
        hdfs.mkdirs(target.getParent());
        AtomicOutput.write(hdfs, target, out -> out.write(0));
        // HDFS's plain rename does not replace a file: deleting first left a moment without one
        assertEquals(0, AtomicOutputTest.timesMissingWhileReplaced(hdfs, target, 20), "times a reader found no file");
        try (FSDataInputStream in = hdfs.open(target)) {
            assertArrayEquals(new byte[] {20}, in.readAllBytes());
        }
        assertEquals(1, hdfs.listStatus(target.getParent()).length, "the file and no temporary file");
    }

    @Test
    void aPartThatFailedItsCheckIsReplacedThoughHdfsDoesNotRenameOverAFile() throws IOException {
        PartStore store = new PartStore(hdfs, new Path(hdfs.getUri() + "/work-replaced"));
        byte[] good = "the unit's quantized bytes".getBytes();
        byte[] bad = "a part cut short".getBytes();
        store.writePart(0, 0, "killed", bad, bad.length, 0, PartStore.WriteHook.NONE);
        PartStore.Checksum sum = store.writePart(0, 0, "rerun", good, good.length, 3, PartStore.WriteHook.NONE);
        assertTrue(store.verifyPart(0, 0, sum));
        assertEquals(1, hdfs.listStatus(store.partsDirectory(0)).length, "the part and no temporary file");
    }

    private static ShardJob job(String name, ByteArrayOutputStream expected) throws IOException {
        return RemoteRuns.seededShard(hdfs, hdfs.getUri().toString(), name, expected);
    }

    private static byte[] read(Path file) throws IOException {
        try (FSDataInputStream in = hdfs.open(file)) {
            return in.readAllBytes();
        }
    }
}
