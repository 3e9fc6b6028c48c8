package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quantsweep.io.AtomicOutput;
import io.quantsweep.spark.LocalSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quantize job on S3: Hadoop's S3A client against S3Proxy, a server of the S3 API over an in-memory
 * store, in this JVM. The checkpoint is read from {@code s3a://} with positional reads, the files are
 * assembled by copying (S3 has no concat) and equal a run on the local disk, and a rerun finds the run
 * complete. And {@link AtomicOutput} on S3A where S3A refuses {@code hsync}.
 */
@ExtendWith(LocalSpark.class)
class QuantizeOnS3Test {
    private static final String BUCKET = "quantsweep";
    private static final String KEY = "access";
    private static final String SECRET = "secret";

    @TempDir
    static java.nio.file.Path dir;
    private static BlobStoreContext store;
    private static S3Proxy proxy;

    @BeforeAll
    static void startS3() throws Exception {
        store = ContextBuilder.newBuilder(new TransientApiMetadata()).credentials(KEY, SECRET)
                .build(BlobStoreContext.class);
        store.getBlobStore().createContainerInLocation(null, BUCKET);
        proxy = S3Proxy.builder().blobStore(store.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET)
                // the AWS SDK's checksum headers on multi-object deletes, which S3Proxy does not know
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!proxy.getState().equals("STARTED")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start in 60 s: " + proxy.getState());
            }
            Thread.sleep(10);
        }
    }

    @AfterAll
    static void stopS3() throws Exception {
        FileSystem.get(URI.create("s3a://" + BUCKET + "/"), s3a(new Configuration())).close();
        proxy.stop();
        store.close();
    }

    /** {@code conf} pointed at the proxy: what a core-site.xml says for an S3-compatible store. */
    private static Configuration s3a(Configuration conf) {
        Map.of("fs.s3a.endpoint", "http://127.0.0.1:" + proxy.getPort(),
                "fs.s3a.endpoint.region", "us-east-1",
                "fs.s3a.path.style.access", "true",
                "fs.s3a.connection.ssl.enabled", "false",
                "fs.s3a.access.key", KEY,
                "fs.s3a.secret.key", SECRET,
                "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider")
                .forEach(conf::set);
        return conf;
    }

    @Test
    void jobReadsAndWritesS3AndCopiesItsFilesTogether(SparkSession spark) throws IOException {
        s3a(spark.sparkContext().hadoopConfiguration());
        java.nio.file.Path local = TinyModel.checkpoint(dir);
        Path model = new Path("s3a://" + BUCKET + "/models/DeepSeek-V3-tiny");
        FileSystem s3 = model.getFileSystem(spark.sparkContext().hadoopConfiguration());
        s3.copyFromLocalFile(new Path(local.toUri()), model);
        RemoteRuns.matchTheLocalDisk(spark, s3, model, "s3a://" + BUCKET + "/quants/tiny", local, dir.resolve("local"),
                "copy");
    }

    @Test
    void filesAreCommittedAndAssembledWhereS3aRefusesHsync() throws IOException {
        Configuration strict = s3a(new Configuration());
        strict.setBoolean("fs.s3a.downgrade.syncable.exceptions", false);
        try (FileSystem s3 = FileSystem.newInstance(URI.create("s3a://" + BUCKET + "/"), strict)) {
            Path target = new Path("s3a://" + BUCKET + "/outputs/table.bin");
            s3.mkdirs(target.getParent());
            AtomicOutput.write(s3, target, out -> out.write(new byte[] {4, 5, 6}));
            try (FSDataInputStream in = s3.open(target)) {
                assertArrayEquals(new byte[] {4, 5, 6}, in.readAllBytes());
            }
            assertEquals(1, s3.listStatus(target.getParent()).length, "the file and no temporary");
            assertFalse(s3.exists(new Path(target.getParent(), "." + target.getName())));

            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            ShardJob shard = RemoteRuns.seededShard(s3, "s3a://" + BUCKET, "strict", expected);
            assertEquals(ShardAssembler.Mode.COPY, new ShardAssembler(s3).assemble(shard, ShardAssembler.Mode.AUTO));
            try (FSDataInputStream in = s3.open(new Path(shard.target()))) {
                assertArrayEquals(expected.toByteArray(), in.readAllBytes(), "a file assembled by copying");
            }
        }
    }
}
