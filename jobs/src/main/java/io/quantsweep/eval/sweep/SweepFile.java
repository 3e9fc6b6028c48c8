package io.quantsweep.eval.sweep;

import io.quantsweep.eval.backend.embedded.EmbeddedConfig.NativeLog;
import io.quantsweep.eval.backend.http.ServerKind;
import io.quantsweep.eval.bench.JsonlFields;
import io.quantsweep.eval.bench.LoaderKind;
import io.quantsweep.eval.metrics.PaperAggregate;
import io.quantsweep.eval.prompt.ChatFormat;
import io.quantsweep.eval.prompt.PromptTemplate;
import io.quantsweep.eval.prompt.ShotSelection;
import io.quantsweep.eval.score.ScoringMode;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a sweep file ({@code conf/sweeps/NAME.yaml}) into a {@link SweepSpec}. Every refusal is a
 * {@link SweepFormatException} whose message starts with {@code file:line:} and names the key. The
 * YAML is only composed into nodes (no object construction), so a file cannot instantiate classes.
 *
 * <pre>
 * name: r1-smoke                      # letters, digits, . _ -
 * baseline: q8_0                      # a variant name
 * variants:
 *   - name: q8_0
 *     endpoints:
 *       - {url: http://gpu-a:8080, api: llama-server}     # api: llama-server | openai-completions | openai-chat
 *       - {url: http://gpu-b:8000, server: vllm, api: openai-chat, model: deepseek-r1, concurrency: 8}
 *                                     # server: llama-server (default) | vllm | sglang
 *   - name: q4_k_m                    # in-process llama.cpp on the executors:
 *     gguf: /models/x.gguf            #   the (first shard's) file on every executor's disk
 *     context-size: 4096              #   default 0: the model's training context
 *     threads: 8                      #   default 0: every processor
 *     native-log: off                 #   off (default) | stderr: llama.cpp's own log, e.g. why a model will not load
 * benchmarks:
 *   - name: mmlu                      # also the key of the paper's weight (else the loader's)
 *     loader: mmlu                    # mmlu | cmmlu | ceval | gsm8k | math500 | aime | jsonl-choice | jsonl-free | text
 *     path: /data/mmlu/data
 *     split: test                     # default test
 *     shots-split: dev                # default dev
 *     n-shot: 5                       # default 0
 *     shot-selection: first-n         # first-n | seeded | lm-eval; default first-n, gsm8k-lm-eval: lm-eval
 *     template: mmlu-lm-eval          # mmlu-lm-eval | zh-mcq (CMMLU) | ceval-zh-mcq | simple-evals-mcq | gsm8k-lm-eval | math-boxed | passage
 *     chat: none                      # none (default) | deepseek-v3 | deepseek-r1 (not on openai-chat)
 *     scoring: mc-logprob             # mc-logprob | mc-grammar | mc-generate | numeric | boxed | kld |
 *                                     #   gsm8k-strict-match | gsm8k-flexible-extract (lm-eval's GSM8K metric)
 *     top-k: 20                       # mc-logprob and kld: next-token alternatives asked for, default 20
 *     samples: 1                      # k, default 1; mc-logprob and mc-grammar: 1, greedy (temperature 0, top-p 1)
 *     max-tokens: 1                   # default 1 for mc-logprob and mc-grammar, else required
 *     temperature: 0.0                # default 0
 *     top-p: 1.0                      # default 1
 *     seed: 1234                      # default 0: the limit's subset, sampling
 *     shot-seed: 1234                 # the exemplar draws; default 1234 (the harness's) for lm-eval, else seed
 *     limit: 500                      # default: every item
 *     stop: ["Question:"]             # default the template's (gsm8k-lm-eval: lm-eval's), else none
 *     weight: 2                       # default the paper's weight for the name or loader, else 0
 *     fields: {question: problem}     # jsonl-* only: id, question, choices, answer, subject, solution
 *   - name: wiki                      # next-token distributions against the baseline's:
 *     loader: text                    #   <split>.jsonl ({text, id}) or <split>.txt (blank-line separated)
 *     path: /data/corpus
 *     scoring: kld                    #   only with loader text; template passage (the default), chat none
 *     positions: 16                   #   positions per passage, default 16
 * execution:
 *   concurrency-per-endpoint: 4       # default 1
 *   timeout-seconds: 600              # default 600
 *   retries: 2                        # default 2
 *   retry-backoff-ms: 500             # default 500: first retry's base wait, doubling up to 30 s
 *   max-malformed-share: 0.01         # default 0.01
 *   batch-size: 16                    # default 16: samples per batch file (what a killed run can lose)
 * </pre>
 */
public final class SweepFile {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Set<String> TOP = Set.of("name", "baseline", "variants", "benchmarks", "execution");
    private static final Set<String> VARIANT = Set.of("name", "gguf", "context-size", "threads", "native-log", "endpoints");
    private static final Set<String> ENDPOINT = Set.of("url", "server", "api", "model", "concurrency");
    private static final Set<String> EXECUTION = Set.of("concurrency-per-endpoint", "timeout-seconds", "retries",
            "retry-backoff-ms", "max-malformed-share", "batch-size");
    private static final Set<String> BENCHMARK = Set.of("name", "loader", "path", "split", "shots-split", "n-shot",
            "shot-selection", "template", "chat", "scoring", "top-k", "positions", "samples", "max-tokens",
            "temperature", "top-p", "seed", "shot-seed", "limit", "stop", "weight", "fields");
    private static final int DEFAULT_TOP_K = 20;
    private static final int DEFAULT_POSITIONS = 16;
    private static final long LM_EVAL_SHOT_SEED = 1234;
    private static final Set<String> FIELDS = Set.of("id", "question", "choices", "answer", "subject", "solution");

    private SweepFile() {
    }

    /** Reads and validates a sweep file (UTF-8). */
    public static SweepSpec read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses and validates sweep-file text; {@code source} names it in messages. */
    public static SweepSpec parse(String text, String source) throws SweepFormatException {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
            throw new SweepFormatException(source, line, "not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new SweepFormatException(source, 1, "not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            throw new SweepFormatException(source, 1, "empty sweep file");
        }
        YamlMap top = YamlMap.of(source, "", root);
        top.allowOnly(TOP);
        String name = name(top, "name");
        ExecutionSpec execution = execution(top.map("execution"));
        List<VariantSpec> variants = new ArrayList<>();
        Set<String> variantNames = new HashSet<>();
        List<Node> variantNodes = top.list("variants");
        if (variantNodes.isEmpty()) {
            throw top.error("variants", "at least one variant is needed");
        }
        Map<String, String> ggufs = new HashMap<>();
        for (int i = 0; i < variantNodes.size(); i++) {
            YamlMap v = YamlMap.of(source, "variants[" + i + "]", variantNodes.get(i));
            VariantSpec variant = variant(v, execution);
            if (!variantNames.add(variant.name())) {
                throw v.error("name", "variant '" + variant.name() + "' is named twice");
            }
            // a JVM holds one model per file: two variants of one file would be one model, or be refused
            if (variant.deployment() instanceof VariantSpec.InProcess p) {
                String first = ggufs.putIfAbsent(p.gguf(), variant.name());
                if (first != null) {
                    throw v.error("gguf", "variant '" + first + "' runs " + p.gguf() + " already");
                }
            }
            variants.add(variant);
        }
        String baseline = top.string("baseline");
        if (!variantNames.contains(baseline)) {
            throw top.error("baseline", "'" + baseline + "' is not one of the variants " + variantNames);
        }
        List<BenchmarkSpec> benchmarks = new ArrayList<>();
        Set<String> benchmarkNames = new HashSet<>();
        List<Node> benchmarkNodes = top.list("benchmarks");
        if (benchmarkNodes.isEmpty()) {
            throw top.error("benchmarks", "at least one benchmark is needed");
        }
        for (int i = 0; i < benchmarkNodes.size(); i++) {
            YamlMap b = YamlMap.of(source, "benchmarks[" + i + "]", benchmarkNodes.get(i));
            BenchmarkSpec benchmark = benchmark(b);
            if (!benchmarkNames.add(benchmark.name())) {
                throw b.error("name", "benchmark '" + benchmark.name() + "' is named twice");
            }
            benchmarks.add(benchmark);
        }
        return new SweepSpec(name, source, baseline, variants, benchmarks, execution);
    }

    private static ExecutionSpec execution(Optional<YamlMap> section) throws SweepFormatException {
        if (section.isEmpty()) {
            return ExecutionSpec.DEFAULT;
        }
        YamlMap e = section.get();
        e.allowOnly(EXECUTION);
        ExecutionSpec d = ExecutionSpec.DEFAULT;
        int concurrency = atLeast(e, "concurrency-per-endpoint", e.integer("concurrency-per-endpoint",
                d.concurrencyPerEndpoint()), 1);
        int timeout = atLeast(e, "timeout-seconds", e.integer("timeout-seconds", (int) d.timeout().toSeconds()), 1);
        int retries = atLeast(e, "retries", e.integer("retries", d.retries()), 0);
        int backoff = atLeast(e, "retry-backoff-ms", e.integer("retry-backoff-ms", (int) d.retryBackoff().toMillis()), 0);
        double share = e.decimal("max-malformed-share", d.maxMalformedShare());
        if (share < 0 || share > 1) {
            throw e.error("max-malformed-share", "must be between 0 and 1, got " + share);
        }
        int batchSize = atLeast(e, "batch-size", e.integer("batch-size", d.batchSize()), 1);
        return new ExecutionSpec(concurrency, Duration.ofSeconds(timeout), retries, Duration.ofMillis(backoff), share,
                batchSize);
    }

    private static VariantSpec variant(YamlMap v, ExecutionSpec execution) throws SweepFormatException {
        v.allowOnly(VARIANT);
        String name = name(v, "name");
        if (v.has("gguf") == v.has("endpoints")) {
            throw v.error("give either 'gguf' (in-process) or 'endpoints', not "
                    + (v.has("gguf") ? "both" : "neither"));
        }
        if (v.has("gguf")) {
            return new VariantSpec(name, new VariantSpec.InProcess(nonBlank(v, "gguf"),
                    atLeast(v, "context-size", v.integer("context-size", 0), 0),
                    atLeast(v, "threads", v.integer("threads", 0), 0),
                    v.has("native-log") ? parse(v, "native-log", NativeLog::parse) : NativeLog.OFF));
        }
        for (String key : List.of("context-size", "threads", "native-log")) {
            if (v.has(key)) {
                throw v.error(key, "only in-process variants ('gguf') take '" + key + "'");
            }
        }
        List<Node> nodes = v.list("endpoints");
        if (nodes.isEmpty()) {
            throw v.error("endpoints", "at least one endpoint is needed");
        }
        List<EndpointSpec> endpoints = new ArrayList<>();
        for (int j = 0; j < nodes.size(); j++) {
            YamlMap e = YamlMap.of(v.file(), v.child("endpoints[" + j + "]"), nodes.get(j));
            e.allowOnly(ENDPOINT);
            EndpointApi api = parse(e, "api", EndpointApi::parse);
            ServerKind server = e.has("server") ? parse(e, "server", ServerKind::parse) : ServerKind.LLAMA_SERVER;
            if (api == EndpointApi.LLAMA_SERVER && server != ServerKind.LLAMA_SERVER) {
                throw e.error("server", "api 'llama-server' is llama-server's own; " + server.id()
                        + " speaks openai-completions or openai-chat");
            }
            String model = e.string("model", "");
            if (api.needsModel() && model.isBlank()) {
                throw e.error("api '" + api.id() + "' needs a 'model'");
            }
            endpoints.add(new EndpointSpec(url(e), server, api, model,
                    atLeast(e, "concurrency", e.integer("concurrency", execution.concurrencyPerEndpoint()), 1)));
        }
        EndpointSpec first = endpoints.get(0);
        for (int j = 1; j < endpoints.size(); j++) {
            EndpointSpec other = endpoints.get(j);
            if (other.server() != first.server() || other.api() != first.api() || !other.model().equals(first.model())) {
                throw v.error("endpoints", ("endpoints[%d] (%s %s %s) differs from endpoints[0] (%s %s %s): one "
                        + "variant's endpoints must run the same server, API and model").formatted(j, other.server().id(),
                        other.api().id(), other.model(), first.server().id(), first.api().id(), first.model()));
            }
        }
        return new VariantSpec(name, new VariantSpec.Endpoints(endpoints));
    }

    private static URI url(YamlMap e) throws SweepFormatException {
        String s = e.string("url");
        try {
            URI u = new URI(s);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                return u;
            }
        } catch (URISyntaxException ex) {
            // reported below with the line
        }
        throw e.error("url", "expected an http:// or https:// URL with a host, got '" + s + "'");
    }

    private static BenchmarkSpec benchmark(YamlMap b) throws SweepFormatException {
        b.allowOnly(BENCHMARK);
        String name = name(b, "name");
        LoaderKind loader = parse(b, "loader", LoaderKind::parse);
        PromptTemplate template = loader == LoaderKind.TEXT && !b.has("template") ? PromptTemplate.PASSAGE
                : parse(b, "template", PromptTemplate::parse);
        ScoringMode scoring = parse(b, "scoring", ScoringMode::parse);
        ChatFormat chat = b.has("chat") ? parse(b, "chat", ChatFormat::parse) : ChatFormat.NONE;
        int shots = atLeast(b, "n-shot", b.integer("n-shot", 0), 0);
        ShotSelection selection = b.has("shot-selection") ? parse(b, "shot-selection", ShotSelection::parse)
                : shots > 0 ? template.defaultShotSelection() : ShotSelection.FIRST_N;
        long seed = b.longInteger("seed", 0);
        if (b.has("shot-seed") && (shots == 0 || selection == ShotSelection.FIRST_N)) {
            throw b.error("shot-seed", "only seeded and lm-eval exemplars are drawn (with n-shot above 0)");
        }
        // the harness seeds its few-shot draws apart from its other seeds, with 1234 unless told otherwise
        long shotSeed = b.longInteger("shot-seed", selection == ShotSelection.LM_EVAL ? LM_EVAL_SHOT_SEED : seed);
        String misfit = "' does not fit the " + (loader.multipleChoice() ? "multiple-choice" : "free-answer")
                + " loader '" + loader.id() + "'";
        if (template.multipleChoice() != loader.multipleChoice()) {
            throw b.error("template", "'" + template.id() + misfit);
        }
        if (scoring.multipleChoice() != loader.multipleChoice()) {
            throw b.error("scoring", "'" + scoring.id() + misfit);
        }
        boolean kld = scoring == ScoringMode.KLD;
        if (kld != (loader == LoaderKind.TEXT) || kld != (template == PromptTemplate.PASSAGE)) {
            throw b.error(kld != (loader == LoaderKind.TEXT) ? "loader" : "template",
                    "scoring 'kld', loader 'text' and template 'passage' go together (got scoring '%s', loader '%s', template '%s')"
                            .formatted(scoring.id(), loader.id(), template.id()));
        }
        if (kld) {
            for (String key : List.of("chat", "n-shot", "samples", "max-tokens", "temperature", "top-p", "stop")) {
                if (b.has(key)) {
                    throw b.error(key, "scoring 'kld' reads the next token after passage prefixes; it takes no '"
                            + key + "'");
                }
            }
        } else if (b.has("positions")) {
            throw b.error("positions", "only scoring 'kld' takes 'positions'");
        }
        if (!scoring.needsNextToken() && b.has("top-k")) {
            throw b.error("top-k", "only scoring 'mc-logprob' and 'kld' read next-token alternatives");
        }
        if (chat.prefillsThink() && (scoring == ScoringMode.MC_LOGPROB || scoring == ScoringMode.MC_GRAMMAR)) {
            throw b.error("chat", "'" + chat.id() + "' opens the reply with <think>, so '" + scoring.id()
                    + "' would read the first token of the reasoning, not the answer");
        }
        boolean oneToken = !scoring.generates();
        if (!oneToken && !b.has("max-tokens")) {
            throw b.error("missing key 'max-tokens' (scoring '" + scoring.id() + "' generates text)");
        }
        double temperature = b.decimal("temperature", 0.0);
        if (temperature < 0) {
            throw b.error("temperature", "must not be negative, got " + temperature);
        }
        double topP = b.decimal("top-p", 1.0);
        if (!(topP > 0 && topP <= 1)) {
            throw b.error("top-p", "must be in (0, 1], got " + topP);
        }
        int samples = atLeast(b, "samples", b.integer("samples", 1), 1);
        if (oneToken && !kld && (samples > 1 || temperature > 0 || topP < 1)) {
            // every backend asks these greedily: k samples would be k copies of one answer
            String key = samples > 1 ? "samples" : temperature > 0 ? "temperature" : "top-p";
            throw b.error(key, "scoring '" + scoring.id() + "' asks once per item for the most probable letter, "
                    + "greedily, so it takes no samples above 1, temperature above 0 or top-p below 1");
        }
        int limit = b.has("limit") ? atLeast(b, "limit", b.integer("limit", 0), 1) : 0;
        double weight = b.has("weight") ? b.decimal("weight", 0) : PaperAggregate.weight(name)
                .orElse(PaperAggregate.weight(loader.id()).orElse(0.0));
        if (weight < 0) {
            throw b.error("weight", "must not be negative, got " + weight);
        }
        return new BenchmarkSpec(name, loader, nonBlank(b, "path"), b.string("split", "test"),
                b.string("shots-split", "dev"), shots, selection, template, chat, scoring, samples,
                atLeast(b, "max-tokens", b.integer("max-tokens", 1), 1), temperature, topP, seed, shotSeed, limit,
                b.has("stop") ? b.strings("stop") : template.defaultStop(), weight, fields(b, loader),
                atLeast(b, "top-k", b.integer("top-k", DEFAULT_TOP_K), 1),
                atLeast(b, "positions", b.integer("positions", DEFAULT_POSITIONS), 1));
    }

    private static JsonlFields fields(YamlMap b, LoaderKind loader) throws SweepFormatException {
        Optional<YamlMap> section = b.map("fields");
        if (section.isEmpty()) {
            return JsonlFields.DEFAULT;
        }
        if (loader != LoaderKind.JSONL_CHOICE && loader != LoaderKind.JSONL_FREE) {
            throw b.error("fields", "only the jsonl-choice and jsonl-free loaders take field names");
        }
        YamlMap f = section.get();
        f.allowOnly(FIELDS);
        JsonlFields d = JsonlFields.DEFAULT;
        return new JsonlFields(f.string("id", d.id()), f.string("question", d.question()),
                f.string("choices", d.choices()), f.string("answer", d.answer()), f.string("subject", d.subject()),
                f.string("solution", d.solution()));
    }

    private static String name(YamlMap m, String key) throws SweepFormatException {
        String s = m.string(key);
        if (!NAME.matcher(s).matches()) {
            throw m.error(key, "'" + s + "' may hold only letters, digits, '.', '_' and '-'");
        }
        return s;
    }

    private static String nonBlank(YamlMap m, String key) throws SweepFormatException {
        String s = m.string(key);
        if (s.isBlank()) {
            throw m.error(key, "must not be blank");
        }
        return s;
    }

    private static int atLeast(YamlMap m, String key, int value, int min) throws SweepFormatException {
        if (value < min) {
            throw m.error(key, "must be " + min + " or more, got " + value);
        }
        return value;
    }

    /** A name parsed by an enum's {@code parse}, whose refusal becomes a refusal at the key's line. */
    private static <T> T parse(YamlMap m, String key, Function<String, T> parser) throws SweepFormatException {
        String s = m.string(key);
        try {
            return parser.apply(s);
        } catch (IllegalArgumentException e) {
            throw m.error(key, e.getMessage());
        }
    }
}
