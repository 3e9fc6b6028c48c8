package io.quantsweep.cli;

import java.util.ServiceLoader;
import java.util.regex.Pattern;
import org.apache.spark.scheduler.ExternalClusterManager;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a command: local mode unless {@code --master} names one or the command runs
 * under {@code spark-submit} (which sets {@code spark.master}). A session that already runs (a notebook,
 * a test) is used and left running; one this opened is stopped on close.
 */
record LocalSession(SparkSession spark, boolean owned) implements AutoCloseable {
    /** SparkContext's local masters: local, local[N|*], local[N|*, failures], local-cluster[N, cores, MiB]. */
    private static final Pattern LOCAL = Pattern.compile(
            "local(\\[([1-9][0-9]*|\\*)(\\s*,\\s*[0-9]+)?])?|local-cluster\\[\\s*[0-9]+\\s*,\\s*[0-9]+\\s*,\\s*[0-9]+\\s*]");

    static LocalSession open(String appName, String master) {
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        if (master != null) {
            builder.master(requireMaster(master));
        } else if (System.getProperty("spark.master") == null) {
            builder.master("local[*]");
        }
        boolean owned = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = builder.getOrCreate();
        if (owned) {
            spark.sparkContext().setLogLevel("WARN");
        }
        return new LocalSession(spark, owned);
    }

    /**
     * {@code master}, if SparkContext would take it (the test of its createTaskScheduler): Spark itself
     * refuses a URL only after it started the context's services, and logs its stack trace.
     */
    static String requireMaster(String master) {
        if (LOCAL.matcher(master).matches() || master.startsWith("spark://")
                || ServiceLoader.load(ExternalClusterManager.class).stream().anyMatch(m -> m.get().canCreate(master))) {
            return master;
        }
        throw new IllegalArgumentException("--master " + master + ": Could not parse Master URL (Spark takes local, "
                + "local[N], local[*], spark://HOST:PORT, or the URL of a cluster manager on the class path, such as yarn "
                + "or k8s://HOST:PORT)");
    }

    @Override
    public void close() {
        if (owned) {
            spark.stop();
        }
    }
}
