package io.quantsweep.cli;

import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a command: local mode unless {@code --master} names one or the command runs
 * under {@code spark-submit} (which sets {@code spark.master}). A session that already runs (a notebook,
 * a test) is used and left running; one this opened is stopped on close.
 */
record LocalSession(SparkSession spark, boolean owned) implements AutoCloseable {

    static LocalSession open(String appName, String master) {
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        if (master != null) {
            builder.master(master);
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

    @Override
    public void close() {
        if (owned) {
            spark.stop();
        }
    }
}
