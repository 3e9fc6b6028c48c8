package io.quantsweep.bench;

import io.quantsweep.eval.backend.Backend;
import io.quantsweep.eval.run.BenchmarkPlan;
import io.quantsweep.eval.run.SampleRow;
import io.quantsweep.eval.run.SampleRunner;
import io.quantsweep.eval.run.SweepPlan;
import io.quantsweep.eval.run.VariantPlan;
import io.quantsweep.eval.run.WorkItem;
import io.quantsweep.eval.score.ScoringMode;
import io.quantsweep.eval.sweep.SweepFile;
import io.quantsweep.eval.sweep.SweepSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;

/**
 * Sequential items per second of one variant of a sweep file, asked the way the eval job asks
 * ({@link SampleRunner#run}, one call after another from one thread), with the model already loaded:
 * the backend is opened and every benchmark's first item asked once before the clock starts.
 *
 * <p>Usage: {@code EvalThroughput SWEEP.yaml VARIANT ROUNDS}. Each benchmark's items are asked
 * {@code ROUNDS} times over. Prints one tab-separated line per benchmark: benchmark, calls, seconds
 * of wall time, generated tokens (0 where the call does not count them), the sum of the rows'
 * latency_ms, and a digest of the responses of the last round (the same digest on two backends means
 * they answered the same).
 *
 * <p>Responses are compared without a trailing U+FFFD: when the budget runs out inside a UTF-8
 * character, llama-server's one-piece answer ends with a replacement character for the partial bytes,
 * while the binding's streamed answer drops them (see the embedded backend).
 */
public final class EvalThroughput {
    private EvalThroughput() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: EvalThroughput SWEEP.yaml VARIANT ROUNDS");
        }
        Path file = Path.of(args[0]).toAbsolutePath();
        SweepSpec sweep = SweepFile.read(file);
        SweepPlan plan = SweepPlan.of(sweep, new org.apache.hadoop.fs.Path(file.getParent().toString()), new Configuration());
        VariantPlan variant = plan.variants().stream().filter(v -> v.name().equals(args[1])).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("sweep %s has no variant %s".formatted(file, args[1])));
        int rounds = Integer.parseInt(args[2]);
        try (Backend backend = variant.groups().get(0).config().open()) {
            for (BenchmarkPlan b : plan.benchmarks()) {
                if (b.spec().scoring() == ScoringMode.KLD) {
                    throw new IllegalArgumentException("benchmark %s: kld is not timed here".formatted(b.spec().name()));
                }
                SampleRunner.run(backend, sweep.name(), variant.name(), b, b.items().get(0), 0);
            }
            for (BenchmarkPlan b : plan.benchmarks()) {
                time(backend, sweep.name(), variant.name(), b, rounds);
            }
        }
        // the embedded binding keeps a non-daemon thread per loaded model
        System.exit(0);
    }

    private static void time(Backend backend, String sweep, String variant, BenchmarkPlan b, int rounds)
            throws Exception {
        long calls = 0;
        long tokens = 0;
        double latencyMs = 0;
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long start = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            for (WorkItem work : b.items()) {
                for (int sample = 0; sample < b.spec().samples(); sample++) {
                    SampleRow row = SampleRunner.run(backend, sweep, variant, b, work, sample);
                    calls++;
                    tokens += row.tokens() == null ? 0 : row.tokens();
                    latencyMs += row.latencyMs();
                    if (round == rounds - 1) {
                        digest.update(comparable(row.response()).getBytes(StandardCharsets.UTF_8));
                        digest.update((byte) 0);
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%s\t%d\t%.3f\t%d\t%.1f\t%s%n", b.spec().name(), calls, seconds, tokens, latencyMs,
                HexFormat.of().formatHex(digest.digest(), 0, 6));
    }

    /** {@code response} without trailing replacement characters. */
    static String comparable(String response) {
        int end = response.length();
        while (end > 0 && response.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        return response.substring(0, end);
    }
}
