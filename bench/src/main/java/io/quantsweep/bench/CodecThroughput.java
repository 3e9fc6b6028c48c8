package io.quantsweep.bench;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link QuantizeBenchmark} and prints MB/s of float32 input per type as a Markdown table for
 * BENCHMARKS.md. Arguments: optional JMH include regex of types is not needed; pass {@code -Dtypes=Q4_K,Q8_0}
 * to restrict, {@code -Dforks}, {@code -Diterations} to change the run.
 */
public final class CodecThroughput {
    private CodecThroughput() {
    }

    public static void main(String[] args) throws Exception {
        OptionsBuilder options = new OptionsBuilder();
        options.include(QuantizeBenchmark.class.getSimpleName())
                .forks(Integer.getInteger("forks", 1))
                .warmupIterations(Integer.getInteger("warmups", 2))
                .measurementIterations(Integer.getInteger("iterations", 5))
                .threads(1)
                .jvmArgsAppend("-Xmx2g");
        String types = System.getProperty("types");
        if (types != null) {
            options.param("type", types.split(","));
        }
        Options built = options.build();
        Collection<RunResult> results = new Runner(built).run();
        double mb = 4.0 * QuantizeBenchmark.ROWS * QuantizeBenchmark.COLS / 1e6;
        System.out.println();
        System.out.println("| type | importance | ms per slab (mean) | MB/s (mean) | MB/s (best iteration) |");
        System.out.println("|---|---|---|---|---|");
        for (RunResult r : results) {
            var params = r.getParams();
            double meanMs = r.getPrimaryResult().getScore();
            double bestMs = r.getPrimaryResult().getStatistics().getMin();
            System.out.println(String.format(Locale.ROOT, "| %s | %s | %.1f | %.0f | %.0f |", params.getParam("type"),
                    params.getParam("importance"), meanMs, mb / (meanMs / 1000), mb / (bestMs / 1000)));
        }
    }
}
