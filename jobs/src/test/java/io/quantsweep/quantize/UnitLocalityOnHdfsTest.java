package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the planner sends units, from real block locations: a checkpoint in 1 MiB blocks with one replica
 * each on an HDFS of three datanodes with names of their own. Each unit's bytes are counted once, on the
 * hosts that hold them, and each partition prefers the host that holds most of its bytes.
 */
class UnitLocalityOnHdfsTest {
    private static final List<String> HOSTS = List.of("dn-a.test", "dn-b.test", "dn-c.test");

    @TempDir
    java.nio.file.Path dir;

    @Test
    void unitsGoToTheHostsThatHoldTheirBytes() throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
        conf.setInt("dfs.replication", 1);
        conf.setLong("dfs.blocksize", 1 << 20);
        try (MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(3)
                .hosts(HOSTS.toArray(String[]::new)).build()) {
            FileSystem hdfs = cluster.getFileSystem();
            Path model = new Path(hdfs.getUri() + "/models/DeepSeek-V3-tiny");
            hdfs.copyFromLocalFile(new Path(TinyModel.checkpoint(dir).toUri()), model);
            QuantizePlan plan = QuantizePlanner.plan(QuantizeOptions.of(model.toString(), List.of("Q4_K_M"),
                    hdfs.getUri() + "/quants/tiny").withUnitBytes(1 << 20), hdfs.getConf()).plan();

            Set<String> seen = new TreeSet<>();
            List<UnitPartitioner.Item> items = new ArrayList<>();
            for (WorkUnit u : plan.units()) {
                Map<String, Long> hosts = plan.hostBytes(u.index());
                assertEquals(u.sourceBytes(), hosts.values().stream().mapToLong(Long::longValue).sum(),
                        u.tensor().name() + " rows " + u.row0() + ": one replica, counted once: " + hosts);
                seen.addAll(hosts.keySet());
                items.add(new UnitPartitioner.Item(u.index(), u.sourceBytes(), hosts));
            }
            assertTrue(HOSTS.containsAll(seen) && seen.size() > 1, "hosts of the units' bytes: " + seen);

            for (UnitPartitioner.Bundle b : UnitPartitioner.partition(items, 6)) {
                Map<String, Long> held = new TreeMap<>();
                for (int u : b.units()) {
                    plan.hostBytes(u).forEach((h, n) -> held.merge(h, n, Long::sum));
                }
                long most = held.values().stream().mapToLong(Long::longValue).max().orElse(0);
                assertEquals(most, held.getOrDefault(b.hosts().get(0), 0L), "partition " + b.units() + " prefers " + b.hosts()
                        + ", its bytes are on " + held);
            }
        }
    }
}
