package io.quantsweep.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.quantsweep.eval.backend.Backend;
import io.quantsweep.eval.backend.ServerInfo;
import io.quantsweep.eval.run.BenchmarkPlan;
import io.quantsweep.eval.run.SampleRow;
import io.quantsweep.eval.run.SampleRunner;
import io.quantsweep.eval.run.SweepPlan;
import io.quantsweep.eval.run.VariantPlan;
import io.quantsweep.eval.score.ScoringMode;
import io.quantsweep.eval.sweep.SweepFile;
import io.quantsweep.eval.sweep.SweepSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;

/**
 * Sequential items per second of some variants of a sweep file, asked the way the eval job asks
 * ({@link SampleRunner#run}, one call after another from one thread), with every model already
 * loaded: all backends are opened and asked each benchmark's first item before the clock starts.
 * Rounds alternate between the variants (round 1 of each, then round 2 of each, ...), so that load
 * from elsewhere on the machine falls on all of them alike.
 *
 * <p>Usage: {@code EvalThroughput SWEEP.yaml ROUNDS VARIANT[,VARIANT...] [METRICS_URL]}. With
 * METRICS_URL (llama-server's {@code /metrics}), each round also reads how many seconds llama-server
 * itself spent on prompts and generation (its {@code prompt_seconds_total} and
 * {@code tokens_predicted_seconds_total}) during the round: llama.cpp's time without HTTP.
 *
 * <p>Prints one tab-separated line per round and variant: benchmark, round, variant, calls, seconds
 * of wall time, generated tokens as the backend counts them (0 where the call does not count them),
 * llama-server's seconds (-1 without METRICS_URL), and a digest of the round's responses (the same
 * digest on two backends means they answered the same). Responses are compared without a trailing
 * U+FFFD, which both backends write where the token budget ends inside a UTF-8 character (an older
 * embedded binding dropped the partial bytes instead).
 *
 * <p>Before the rounds, one line per variant: {@code #info}, variant, and its {@link ServerInfo}
 * ({@link ServerInfo#describe}, then the details' {@code system_info}, the llama.cpp CPU features the
 * embedded backend selected, or "-" where the backend does not say). After them, for each benchmark
 * and variant whose answers differ from the first variant's in the same round, one line for the first
 * such item: {@code #diff}, benchmark, round, variant, item index, sample, then both answers as JSON
 * strings (the first variant's, then this one's).
 */
public final class EvalThroughput {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private EvalThroughput() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 && args.length != 4) {
            throw new IllegalArgumentException("usage: EvalThroughput SWEEP.yaml ROUNDS VARIANT[,VARIANT...] [METRICS_URL]");
        }
        Path file = Path.of(args[0]).toAbsolutePath();
        int rounds = Integer.parseInt(args[1]);
        URI metrics = args.length == 4 ? URI.create(args[3]) : null;
        SweepSpec sweep = SweepFile.read(file);
        SweepPlan plan = SweepPlan.of(sweep, new org.apache.hadoop.fs.Path(file.getParent().toString()), new Configuration());
        List<String> names = List.of(args[2].split(","));
        List<Backend> backends = new ArrayList<>();
        for (String name : names) {
            VariantPlan variant = plan.variants().stream().filter(v -> v.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("sweep %s has no variant %s".formatted(file, name)));
            backends.add(variant.groups().get(0).config().open());
        }
        for (int v = 0; v < names.size(); v++) {
            ServerInfo info = backends.get(v).serverInfo();
            System.out.printf(Locale.ROOT, "#info\t%s\t%s\t%s%n", names.get(v), info.describe(),
                    info.details().getOrDefault("system_info", "-"));
        }
        for (BenchmarkPlan b : plan.benchmarks()) {
            if (b.spec().scoring() == ScoringMode.KLD) {
                throw new IllegalArgumentException("benchmark %s: kld is not timed here".formatted(b.spec().name()));
            }
            for (int v = 0; v < names.size(); v++) {
                SampleRunner.run(backends.get(v), sweep.name(), names.get(v), b, b.items().get(0), 0);
            }
        }
        List<String> differences = new ArrayList<>();
        for (BenchmarkPlan b : plan.benchmarks()) {
            for (int round = 1; round <= rounds; round++) {
                List<String> first = null;
                for (int v = 0; v < names.size(); v++) {
                    double before = metrics == null ? 0 : serverSeconds(metrics);
                    Round r = round(backends.get(v), sweep.name(), names.get(v), b);
                    double server = metrics == null ? -1 : serverSeconds(metrics) - before;
                    System.out.printf(Locale.ROOT, "%s\t%d\t%s\t%d\t%.4f\t%d\t%.4f\t%s%n", b.spec().name(), round,
                            names.get(v), r.calls(), r.seconds(), r.tokens(), server, r.digest());
                    if (first == null) {
                        first = r.responses();
                    } else {
                        String difference = firstDifference(first, r.responses(), b.spec().samples());
                        if (difference != null) {
                            differences.add("#diff\t%s\t%d\t%s\t%s".formatted(b.spec().name(), round, names.get(v), difference));
                        }
                    }
                }
            }
        }
        differences.forEach(System.out::println);
        System.out.flush();
        // llama.cpp's threads and the HTTP client's are not worth waiting for
        System.exit(0);
    }

    private record Round(long calls, double seconds, long tokens, String digest, List<String> responses) {
    }

    /**
     * Where {@code answers} first differs from {@code reference} (answers compared as {@link #comparable}, in
     * the order asked, {@code samples} per item): the item index, the sample, and both answers as JSON
     * strings, tab-separated; null where they agree.
     */
    static String firstDifference(List<String> reference, List<String> answers, int samples) {
        for (int i = 0; i < Math.max(reference.size(), answers.size()); i++) {
            String a = i < reference.size() ? reference.get(i) : null;
            String b = i < answers.size() ? answers.get(i) : null;
            if (a == null || b == null || !comparable(a).equals(comparable(b))) {
                return "%d\t%d\t%s\t%s".formatted(i / samples, i % samples, literal(a), literal(b));
            }
        }
        return null;
    }

    /**
     * {@code s} as a JSON string on one line, every character outside ASCII escaped so that a replacement
     * character or a control shows ({@code null} as is).
     */
    static String literal(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Round round(Backend backend, String sweep, String variant, BenchmarkPlan b) throws Exception {
        long calls = 0;
        long tokens = 0;
        List<String> responses = new ArrayList<>();
        MessageDigest digest = sha256();
        long start = System.nanoTime();
        for (var work : b.items()) {
            for (int sample = 0; sample < b.spec().samples(); sample++) {
                SampleRow row = SampleRunner.run(backend, sweep, variant, b, work, sample);
                calls++;
                tokens += row.tokens() == null ? 0 : row.tokens();
                responses.add(row.response());
                digest.update(comparable(row.response()).getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Round(calls, seconds, tokens, HexFormat.of().formatHex(digest.digest(), 0, 6), responses);
    }

    /** {@code response} without trailing replacement characters. */
    static String comparable(String response) {
        int end = response.length();
        while (end > 0 && response.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        return response.substring(0, end);
    }

    /** llama-server's prompt plus generation seconds so far, from its Prometheus text. */
    static double serverSeconds(String prometheus) {
        double sum = 0;
        int found = 0;
        for (String line : prometheus.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && (f[0].equals("llamacpp:prompt_seconds_total")
                    || f[0].equals("llamacpp:tokens_predicted_seconds_total"))) {
                sum += Double.parseDouble(f[1]);
                found++;
            }
        }
        if (found != 2) {
            throw new IllegalArgumentException("llama-server metrics without prompt_seconds_total and tokens_predicted_seconds_total");
        }
        return sum;
    }

    private static double serverSeconds(URI metrics) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("%s answered HTTP %d (start llama-server with --metrics)".formatted(metrics, r.statusCode()));
        }
        return serverSeconds(r.body());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
