package io.quantsweep.bench;

import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.codec.CodecImplementations;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link QuantizeBenchmark} and prints MB/s of float32 input per type as a Markdown table for
 * BENCHMARKS.md. System properties: {@code -Dtypes=Q4_K,Q8_0} restricts the types, {@code -Dwarmups} and
 * {@code -Diterations} (default 3 and 5 single-shot slabs; the first slab runs while C2 compiles the
 * vector kernels) and {@code -Dforks} change the run, and
 * {@code -Dquantsweep.codec.scalar=true} benchmarks the scalar codecs. Types without an importance path
 * (Q8_0, F16, BF16) are run without importance only.
 */
public final class CodecThroughput {
    private static final List<String> NO_IMPORTANCE_PATH = List.of("Q8_0", "F16", "BF16");

    private CodecThroughput() {
    }

    public static void main(String[] args) throws Exception {
        boolean scalar = Boolean.getBoolean(CodecImplementations.SCALAR_PROPERTY);
        OptionsBuilder options = new OptionsBuilder();
        options.include(QuantizeBenchmark.class.getSimpleName())
                .forks(Integer.getInteger("forks", 1))
                .warmupIterations(Integer.getInteger("warmups", 3))
                .measurementIterations(Integer.getInteger("iterations", 5))
                .threads(1)
                .jvmArgsAppend("-Xmx2g", "--add-modules=jdk.incubator.vector",
                        "-D" + CodecImplementations.SCALAR_PROPERTY + "=" + scalar);
        String types = System.getProperty("types");
        if (types != null) {
            options.param("type", types.split(","));
        }
        Options built = options.build();
        Collection<RunResult> results = new Runner(built).run();
        double mb = 4.0 * QuantizeBenchmark.ROWS * QuantizeBenchmark.COLS / 1e6;
        List<String> lines = new ArrayList<>();
        lines.add("| type | importance | implementation | MB/s (best of " + Integer.getInteger("iterations", 5)
                + ") | MB/s (mean) |");
        lines.add("|---|---|---|---|---|");
        for (RunResult r : results) {
            String type = r.getParams().getParam("type");
            String importance = r.getParams().getParam("importance");
            if (importance.equals("true") && NO_IMPORTANCE_PATH.contains(type)) {
                continue;
            }
            double meanMs = r.getPrimaryResult().getScore();
            double bestMs = r.getPrimaryResult().getStatistics().getMin();
            lines.add(String.format(Locale.ROOT, "| %s | %s | %s | %.0f | %.0f |", type, importance,
                    Codecs.of(GgmlType.parse(type)).getClass().getSimpleName(), mb / (bestMs / 1000),
                    mb / (meanMs / 1000)));
        }
        System.out.println();
        lines.forEach(System.out::println);
    }
}
