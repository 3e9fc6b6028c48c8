package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** The quantize job on a remote file system (HDFS, S3), held against the same run on the local disk. */
final class RemoteRuns {
    private static final List<String> VARIANTS = List.of("Q8_0", "Q4_K_M");

    private RemoteRuns() {
    }

    /**
     * Quantizes {@code model} on {@code fs} into {@code out} there, and its local copy {@code local} into
     * {@code localOut}, in 1 MiB units: the remote files are {@code fs}'s, assembled as {@code assembly}
     * says ({@code concat} or {@code copy}), byte-identical to the local run's, and a rerun finds the run
     * complete.
     */
    static void matchTheLocalDisk(SparkSession spark, FileSystem fs, Path model, String out, java.nio.file.Path local,
            java.nio.file.Path localOut, String assembly) throws IOException {
        QuantizeOptions remote = QuantizeOptions.of(model.toString(), VARIANTS, out).withUnitBytes(1 << 20);
        StringWriter log = new StringWriter();
        QuantizeJob.Summary run = QuantizeJob.run(spark, remote, new PrintWriter(log, true));
        QuantizeJob.Summary disk = QuantizeJob.run(spark, QuantizeOptions.of(local.toString(), VARIANTS,
                localOut.toString()).withUnitBytes(1 << 20), new PrintWriter(new StringWriter(), true));

        assertTrue(run.units() > 10, "units: " + run.units());
        assertTrue(log.toString().contains("quantize: files 2 assembled-" + assembly), log.toString());
        assertEquals(VARIANTS.size(), run.files().size());
        for (int i = 0; i < VARIANTS.size(); i++) {
            Path file = run.files().get(i);
            assertEquals(fs.getUri().getScheme(), file.toUri().getScheme(), file.toString());
            byte[] expected = Files.readAllBytes(java.nio.file.Path.of(disk.files().get(i).toUri()));
            try (FSDataInputStream in = fs.open(file)) {
                assertArrayEquals(expected, in.readAllBytes(), "the remote run's " + file.getName());
            }
        }

        QuantizeJob.Summary again = QuantizeJob.run(spark, remote, new PrintWriter(new StringWriter(), true));
        assertEquals(RunManifest.State.COMPLETE, again.state());
        assertEquals(run.files(), again.files());
    }

    /**
     * Five seeded parts on {@code fs} under {@code ROOT/work-NAME}, for {@code ROOT/out-NAME/m-V.gguf};
     * the bytes that file must hold are appended to {@code expected}.
     */
    static ShardJob seededShard(FileSystem fs, String root, String name, ByteArrayOutputStream expected)
            throws IOException {
        PartStore store = new PartStore(fs, new Path(root + "/work-" + name));
        byte[] header = "GGUF-header-of-test".getBytes();
        expected.write(header);
        SplittableRandom r = new SplittableRandom(5);
        List<ShardJob.PartRef> refs = new ArrayList<>();
        for (int u = 0; u < 5; u++) {
            byte[] data = new byte[1 + r.nextInt(200_000)];
            r.nextBytes(data);
            PartStore.Checksum c = store.writePart(0, u, "test", data, data.length, u % 2, PartStore.WriteHook.NONE);
            expected.write(data);
            expected.write(new byte[u % 2]);
            refs.add(new ShardJob.PartRef(store.part(0, u).toString(), c.bytes(), c.crc32c()));
        }
        return new ShardJob("V", 0, root + "/out-" + name + "/m-V.gguf", store.partsDirectory(0).toString(), header, refs);
    }
}
