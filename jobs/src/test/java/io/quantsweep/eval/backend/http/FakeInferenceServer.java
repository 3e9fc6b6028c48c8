package io.quantsweep.eval.backend.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server on 127.0.0.1 that speaks llama-server's, vLLM's or SGLang's API closely enough
 * for the backend, and injects faults per prompt. A prompt carries its id as {@code #<id>}; the
 * answer to prompt {@code #17} is {@code "answer-17"}, spelled as the three tokens
 * {@code answer}, {@code -}, {@code 17}.
 *
 * <p>It counts requests per prompt id, tracks the most generation requests in flight at once
 * (a request stops counting just before its answer is written, so a client that keeps its limit can
 * never be seen above it), records request bodies and Authorization headers, and validates the
 * fields each API requires (400 when one is missing). Public for the sweep job's tests, which run
 * variants against several of these servers.
 */
public final class FakeInferenceServer implements AutoCloseable {
    private static final int VLLM_MAX_LOGPROBS = 20;

    /** What the server does to one request instead of answering it. */
    public enum Fault {
        /** 500 with an error body that echoes the request's Authorization header. */
        SERVER_ERROR,
        /** 429 with Retry-After: 0. */
        RATE_LIMITED,
        /** 429 with Retry-After: 1. */
        RATE_LIMITED_1S,
        /** Answers correctly, but only after {@link #slowDelay}, beyond the client's read timeout. */
        SLOW,
        /** Closes the connection without any answer. */
        DROP,
        /** 200 with a body cut off in the middle of the JSON. */
        MALFORMED,
        /** 400 with an error body. */
        BAD_REQUEST,
        /** 200 with a body larger than the client reads (a JSON string of 65 MiB, streamed). */
        HUGE,
        /** Answers, but every list of alternatives ({@code top_logprobs}) is empty. */
        NO_ALTERNATIVES,
        /** 200 with what SGLang answers for a request it aborted: the text so far, {@code finish_reason: abort}. */
        ABORTED,
        /**
         * Answers, but the two most probable alternatives of each list are tokens that end inside a UTF-8
         * character: text {@code ""} (llama-server cuts a piece to its valid part), bytes {@code E4 B8} and
         * {@code E4 B9}.
         */
        SPLIT_CHARACTERS,
        /**
         * Answers natively as llama-server with context shift does after it dropped the prompt's start to
         * go on: {@code truncated: true}, and the answer ends by itself.
         */
        CONTEXT_SHIFTED,
        /**
         * Answers natively as llama-server without context shift does at its slot's context end: the
         * answer cut after its first token, {@code truncated: true}, {@code stop_type: limit}.
         */
        CONTEXT_FULL,
        /**
         * Answers natively as llama-server without context shift does when the answer's last token, an end of
         * generation, lands on its slot's last position: the answer's first token, {@code truncated: true},
         * {@code stop_type: eos} (a grammar's letter and then EOS, with the prompt two short of the slot).
         */
        CONTEXT_FULL_EOS,
        /**
         * Answers natively as llama-server without context shift does when a stop string ends on its slot's
         * last position: the text before the stop string ({@code -}), {@code truncated: true},
         * {@code stop_type: limit}, {@code stopping_word: "-"}.
         */
        CONTEXT_FULL_STOP_WORD,
        /** 500 as llama-server before May 2025 answers a request at its slot's context end under --no-context-shift. */
        CONTEXT_SHIFT_DISABLED,
        /** 500 as llama-server answers when a batch of its slots' requests finds no room in their shared KV cache. */
        KV_CACHE_FULL,
        /**
         * Answers as llama-server does when its greedy token is a piece of a UTF-8 character: the text cut to
         * U+FFFD and no alternatives. Asked under a grammar, it answers, listing the model's own alternatives,
         * the two pieces first ({@link #SPLIT_CHARACTERS}).
         */
        WITHHELD_PIECE,
        /** {@link #WITHHELD_PIECE}, but under a grammar it lists what the grammar leaves, as builds before December 2024 did. */
        WITHHELD_PIECE_AFTER_GRAMMAR
    }

    /** The faults that still answer 200, with something wrong in the answer. */
    private static final Set<Fault> ANSWERING = EnumSet.of(Fault.SLOW, Fault.NO_ALTERNATIVES, Fault.ABORTED,
            Fault.SPLIT_CHARACTERS, Fault.CONTEXT_SHIFTED, Fault.CONTEXT_FULL, Fault.CONTEXT_FULL_EOS,
            Fault.CONTEXT_FULL_STOP_WORD, Fault.WITHHELD_PIECE, Fault.WITHHELD_PIECE_AFTER_GRAMMAR);

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // the JDK server writes headers and body separately; without TCP_NODELAY each answer waits
        // for the client's delayed ACK (about 40 ms). Read once, when the first server starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    private static final Pattern ID = Pattern.compile("#(\\d+)");

    private final ServerKind kind;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<Integer, Deque<Fault>> faults;
    private final Map<Integer, Fault> always;
    private final Map<Integer, AtomicInteger> requests;
    private final Map<Integer, Integer> answerAs = new ConcurrentHashMap<>();
    private final AtomicInteger answered = new AtomicInteger();
    private volatile int failAfter = Integer.MAX_VALUE;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger healthChecks = new AtomicInteger();
    private final Deque<Integer> healthStatuses = new ArrayDeque<>();
    private final List<JsonNode> bodies = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    private volatile String build;
    private volatile List<String> models = List.of("tiny-deepseek");
    /** What it says it serves under those names; by default a file named after the first. */
    private volatile String modelFile;
    private volatile int context = 4096;
    private volatile int pool = 200_000;
    private volatile String sglangInfo = "/server_info";
    private final Map<String, JsonNode> infoFields = new ConcurrentHashMap<>();
    private volatile boolean deterministic;
    private volatile boolean thinks;
    private volatile boolean opensThinking;
    private volatile String requiredKey = "";
    private volatile boolean router;
    private final Map<String, Integer> routedContexts = new ConcurrentHashMap<>();
    private final Set<String> loaded = ConcurrentHashMap.newKeySet();
    private volatile Duration delay = Duration.ZERO;
    private volatile Duration slowDelay = Duration.ofMillis(2500);

    public FakeInferenceServer(ServerKind kind) throws IOException {
        this(kind, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    }

    /**
     * A second endpoint of the same variant: it shares {@code other}'s fault plan and request counts,
     * so a prompt meets its faults in order whichever endpoint each attempt reaches.
     */
    public FakeInferenceServer(ServerKind kind, FakeInferenceServer other) throws IOException {
        this(kind, other.faults, other.always, other.requests);
    }

    private FakeInferenceServer(ServerKind kind, Map<Integer, Deque<Fault>> faults, Map<Integer, Fault> always,
                                Map<Integer, AtomicInteger> requests) throws IOException {
        this.kind = kind;
        this.build = switch (kind) {
            case LLAMA_SERVER -> "b4916-c6af2161";
            case VLLM -> "0.23.1";
            case SGLANG -> "0.5.6";
        };
        this.faults = faults;
        this.always = always;
        this.requests = requests;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public FakeInferenceServer build(String build) {
        this.build = build;
        return this;
    }

    FakeInferenceServer models(String... models) {
        this.models = List.of(models);
        return this;
    }

    /** SGLang started with --enable-deterministic-inference, without which it ignores a request's seed. */
    FakeInferenceServer deterministic(boolean deterministic) {
        this.deterministic = deterministic;
        return this;
    }

    /**
     * A reasoning model behind a reasoning parser: a chat reply thinks for two tokens first, which come
     * apart from its content (vLLM's newer {@code reasoning}, the others' {@code reasoning_content});
     * its content is null (llama-server: empty) when the budget ends inside them.
     */
    FakeInferenceServer thinks(boolean thinks) {
        this.thinks = thinks;
        return this;
    }

    /**
     * llama-server with a chat template that opens a thinking block in its generation prompt (DeepSeek-R1's
     * ends in {@code <think>\n}): its parser takes all a reply writes before {@code </think>} as
     * {@code reasoning_content}, after the generation prompt's newline, and this model never closes it, so
     * a chat reply's content is {@code ""}; a grammar constrains the reasoning.
     */
    FakeInferenceServer opensThinking(boolean opens) {
        this.opensThinking = opens;
        return this;
    }

    /** Serves this file (or checkpoint) under its model names, as an alias does. */
    public FakeInferenceServer modelFile(String file) {
        this.modelFile = file;
        return this;
    }

    /**
     * The context one request has, which llama-server says per slot in {@code /props}, vLLM and SGLang as
     * {@code max_model_len} in {@code /v1/models}.
     */
    public FakeInferenceServer context(int tokens) {
        this.context = tokens;
        return this;
    }

    /**
     * SGLang's KV cache pool, {@code max_total_num_tokens} in {@code /server_info} with the
     * {@code max_req_input_len} SGLang derives from it and the context; by default larger than the context.
     * 0: says neither, as a proxy in front of SGLang may not.
     */
    public FakeInferenceServer pool(int tokens) {
        this.pool = tokens;
        return this;
    }

    /** Answers SGLang's info at its name before {@code /server_info}, as builds before that name do. */
    public FakeInferenceServer olderSglangInfo() {
        this.sglangInfo = "/get_server_info";
        return this;
    }

    /** Sets a top-level field of its info answer ({@code /props}, {@code /version}, SGLang's {@code /server_info}). */
    FakeInferenceServer infoField(String name, Object value) {
        infoFields.put(name, value == null ? NullNode.getInstance() : JSON.valueToTree(value));
        return this;
    }

    private String servedFile() {
        return modelFile != null ? modelFile : "/models/" + models.get(0) + ".gguf";
    }

    /**
     * llama-server in router mode ({@code --models-dir}): one process serves each of its {@link #models} from
     * {@code /models/ID.gguf}, loaded when first asked for. {@code /props} describes the router (role
     * {@code router}, model_path {@code none}, n_ctx 0, no slots), {@code /props?model=ID} that model's
     * instance, loading it; {@code /v1/models} gives each model's {@code status}; a request names its
     * model, or is refused with 400.
     */
    FakeInferenceServer router() {
        this.router = true;
        return this;
    }

    /** In router mode, the context one request to {@code model} has ({@code --models-preset}: {@code c} per model). */
    FakeInferenceServer routedContext(String model, int tokens) {
        routedContexts.put(model, tokens);
        return this;
    }

    /** In router mode, the models loaded so far. */
    Set<String> loaded() {
        return Set.copyOf(loaded);
    }

    /** Answers 401 unless requests carry {@code Authorization: Bearer key}. */
    FakeInferenceServer requireKey(String key) {
        this.requiredKey = key;
        return this;
    }

    /** Every generation request takes this long (so that requests overlap). */
    public FakeInferenceServer delay(Duration delay) {
        this.delay = delay;
        return this;
    }

    FakeInferenceServer slowDelay(Duration slowDelay) {
        this.slowDelay = slowDelay;
        return this;
    }

    /** Answers prompt {@code id} as if it were prompt {@code as} (a variant that answers some prompts differently). */
    public FakeInferenceServer answerAs(int id, int as) {
        answerAs.put(id, as);
        return this;
    }

    /**
     * Answers only the next {@code n} generation requests (of any prompt); every later one gets a
     * 500 until {@link #recover()}: a server that goes down mid-sweep.
     */
    public FakeInferenceServer failAfter(int n) {
        answered.set(0);
        failAfter = n;
        return this;
    }

    /** Answers every request again. */
    public void recover() {
        failAfter = Integer.MAX_VALUE;
    }

    /** Generation requests answered with 200 since the last {@link #failAfter}. */
    public int answered() {
        return answered.get();
    }

    /** The next requests for prompt {@code id} meet these faults, in order; later ones are answered. */
    public void faults(int id, Fault... f) {
        faults.computeIfAbsent(id, k -> new ConcurrentLinkedDeque<>()).addAll(List.of(f));
    }

    /** Every request for prompt {@code id} meets {@code f}. */
    void always(int id, Fault f) {
        always.put(id, f);
    }

    /** The next health checks answer these statuses; later ones 200. */
    synchronized void healthStatuses(int... statuses) {
        for (int s : statuses) {
            healthStatuses.add(s);
        }
    }

    /** Requests for prompt {@code id}, at this endpoint and those sharing its plan. */
    public int requests(int id) {
        AtomicInteger n = requests.get(id);
        return n == null ? 0 : n.get();
    }

    public int totalRequests() {
        return requests.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    public int maxInFlight() {
        return maxInFlight.get();
    }

    int healthChecks() {
        return healthChecks.get();
    }

    List<JsonNode> bodies() {
        synchronized (bodies) {
            return List.copyOf(bodies);
        }
    }

    JsonNode lastBody() {
        List<JsonNode> all = bodies();
        return all.get(all.size() - 1);
    }

    List<String> authorizations() {
        synchronized (authorizations) {
            return List.copyOf(authorizations);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            authorizations.add(String.valueOf(auth));
            if (!requiredKey.isEmpty() && !("Bearer " + requiredKey).equals(auth)) {
                send(ex, 401, error(401, "invalid api key"));
                return;
            }
            String path = ex.getRequestURI().getPath();
            if (ex.getRequestMethod().equals("GET")) {
                info(ex, path);
            } else {
                generation(ex, path);
            }
        } finally {
            ex.close();
        }
    }

    private void info(HttpExchange ex, String path) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        String own = switch (kind) {
            case LLAMA_SERVER -> "/props";
            case VLLM -> "/version";
            case SGLANG -> sglangInfo;
        };
        if (List.of("/props", "/version", "/server_info", "/get_server_info").contains(path) && !path.equals(own)) {
            send(ex, 404, error(404, "no route " + path));
            return;
        }
        switch (path) {
            case "/health" -> {
                healthChecks.incrementAndGet();
                Integer status;
                synchronized (this) {
                    status = healthStatuses.poll();
                }
                if (status != null && status != 200) {
                    send(ex, status, error(status, "Loading model"));
                    return;
                }
                o.put("status", "ok");
            }
            case "/props" -> {
                String routed = router ? query(ex, "model") : null;
                if (router && routed == null) {
                    o.put("role", "router").put("max_instances", 4).put("models_autoload", true)
                            .put("model_alias", "llama-server").put("model_path", "none").put("build_info", build);
                    o.putObject("default_generation_settings").putNull("params").put("n_ctx", 0);
                } else if (router && !models.contains(routed)) {
                    send(ex, 400, error(400, "model '" + routed + "' not found"));
                    return;
                } else {
                    if (router) {
                        loaded.add(routed);
                    }
                    o.put("build_info", build).put("model_path", router ? "/models/" + routed + ".gguf" : servedFile())
                            .put("total_slots", 4);
                    o.putObject("default_generation_settings")
                            .put("n_ctx", router ? routedContexts.getOrDefault(routed, context) : context);
                }
            }
            case "/version" -> {
                o.put("version", build);
            }
            case "/server_info", "/get_server_info" -> {
                // SGLang since 0.4: its server arguments and its scheduler's start-up numbers, and since 0.4.3 or
                // so, per data-parallel rank, its internal state
                o.put("version", build).put("tp_size", 1).put("model_path", servedFile())
                        .put("enable_deterministic_inference", deterministic).put("page_size", 1);
                o.putNull("context_length");
                if (pool > 0) {
                    // as SGLang's tp_worker derives it: max_req_len = min(context_len - 1, pool - 1), less 5
                    o.put("status", "ready").put("max_total_num_tokens", pool)
                            .put("max_req_input_len", Math.min(context - 1, pool - 1) - 5);
                    o.putArray("internal_states").addObject().put("last_gen_throughput", 0.0)
                            .putObject("memory_usage").put("token_capacity", pool);
                }
            }
            case "/v1/models" -> {
                o.put("object", "list");
                ArrayNode data = o.putArray("data");
                models.forEach(m -> {
                    ObjectNode card = data.addObject().put("id", m).put("object", "model");
                    if (router) {
                        card.putObject("status").put("value", loaded.contains(m) ? "loaded" : "unloaded");
                    }
                    if (kind == ServerKind.VLLM) {
                        card.put("root", servedFile());
                    }
                    if (kind != ServerKind.LLAMA_SERVER) {
                        card.put("max_model_len", context);
                    }
                });
            }
            default -> {
                send(ex, 404, error(404, "no route " + path));
                return;
            }
        }
        if (path.equals(own)) {
            infoFields.forEach(o::set);
        }
        send(ex, 200, o.toString());
    }

    private void generation(HttpExchange ex, String path) throws IOException {
        JsonNode body = JSON.readTree(ex.getRequestBody());
        bodies.add(body);
        String prompt = path.equals("/v1/chat/completions") ? body.path("messages").path(0).path("content").asText()
                : body.path("prompt").asText();
        Matcher m = ID.matcher(prompt);
        int id = m.find() ? Integer.parseInt(m.group(1)) : -1;
        requests.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        boolean counted = true;
        try {
            Deque<Fault> queue = faults.get(id);
            Fault fault = always.getOrDefault(id, queue == null ? null : queue.poll());
            if (fault == null && answered.getAndUpdate(n -> n < failAfter ? n + 1 : n) >= failAfter) {
                fault = Fault.SERVER_ERROR;
            }
            sleep(fault == Fault.SLOW ? slowDelay : delay);
            String missing = missingField(path, body);
            inFlight.decrementAndGet();
            counted = false;
            if (fault != null && !ANSWERING.contains(fault)) {
                fail(ex, fault);
            } else if (router && !body.hasNonNull("model")) {
                send(ex, 400, error(400, "model name is missing from the request"));
            } else if (missing != null) {
                send(ex, 400, error(400, "missing or wrong field '" + missing + "'"));
            } else if (kind == ServerKind.VLLM && alternatives(path, body) > VLLM_MAX_LOGPROBS) {
                // vLLM started without --max-logprobs
                send(ex, 400, error(400, "Requested sample logprobs of " + alternatives(path, body)
                        + ", which is greater than max allowed: " + VLLM_MAX_LOGPROBS));
            } else {
                if (router) {
                    loaded.add(body.get("model").asText());
                }
                ObjectNode answer = answer(path, body, answerAs.getOrDefault(id, id));
                if (fault == Fault.NO_ALTERNATIVES) {
                    emptyAlternatives(answer);
                } else if (fault == Fault.SPLIT_CHARACTERS || fault == Fault.WITHHELD_PIECE && body.has("grammar")) {
                    splitCharacters(answer);
                } else if ((fault == Fault.WITHHELD_PIECE || fault == Fault.WITHHELD_PIECE_AFTER_GRAMMAR)
                        && !body.has("grammar")) {
                    withholdAlternatives(answer);
                } else if (fault == Fault.ABORTED) {
                    ObjectNode choice = (ObjectNode) answer.path("choices").path(0);
                    choice.put("finish_reason", "abort");
                    choice.put("text", "answer-");
                } else if (fault == Fault.CONTEXT_SHIFTED) {
                    answer.put("truncated", true);
                } else if (fault == Fault.CONTEXT_FULL) {
                    answer.put("truncated", true).put("stop_type", "limit").put("tokens_predicted", 1)
                            .put("content", "answer");
                } else if (fault == Fault.CONTEXT_FULL_EOS) {
                    answer.put("truncated", true).put("stop_type", "eos").put("tokens_predicted", 1)
                            .put("content", "answer");
                } else if (fault == Fault.CONTEXT_FULL_STOP_WORD) {
                    answer.put("truncated", true).put("stop_type", "limit").put("stopping_word", "-")
                            .put("tokens_predicted", 1).put("content", "answer");
                }
                send(ex, 200, answer.toString());
            }
        } finally {
            if (counted) {
                inFlight.decrementAndGet();
            }
        }
    }

    private void fail(HttpExchange ex, Fault fault) throws IOException {
        switch (fault) {
            case SERVER_ERROR -> send(ex, 500, error(500, "internal error; request had Authorization: "
                    + ex.getRequestHeaders().getFirst("Authorization")));
            case RATE_LIMITED, RATE_LIMITED_1S -> {
                ex.getResponseHeaders().add("Retry-After", fault == Fault.RATE_LIMITED ? "0" : "1");
                send(ex, 429, error(429, "too many requests"));
            }
            case DROP -> {
                // closing the exchange before any response headers closes the connection
            }
            case MALFORMED -> send(ex, 200, "{\"content\": \"answer-");
            case BAD_REQUEST -> send(ex, 400, error(400, "bad request"));
            case CONTEXT_SHIFT_DISABLED -> send(ex, 500, error(500, "context shift is disabled"));
            case KV_CACHE_FULL -> send(ex, 500, error(500, "Context size has been exceeded."));
            case HUGE -> {
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, 0);
                byte[] mib = new byte[1 << 20];
                Arrays.fill(mib, (byte) 'a');
                try (OutputStream out = ex.getResponseBody()) {
                    out.write("{\"content\": \"".getBytes(StandardCharsets.UTF_8));
                    for (int i = 0; i < 65; i++) {
                        out.write(mib);
                    }
                    out.write("\"}".getBytes(StandardCharsets.UTF_8));
                } catch (IOException closedByTheClient) {
                    // the client stops reading at its cap
                }
            }
            default -> throw new IllegalStateException(fault.toString());
        }
    }

    /** The first required field that is missing or wrong, or null. */
    private String missingField(String path, JsonNode body) {
        List<String> required = new ArrayList<>(List.of("temperature", "top_p", "top_k", "min_p", "seed",
                "presence_penalty", "frequency_penalty"));
        required.addAll(kind == ServerKind.LLAMA_SERVER
                ? List.of("repeat_penalty", "dry_multiplier", "xtc_probability", "typical_p", "mirostat", "top_n_sigma",
                        "dynatemp_range", "ignore_eos")
                : List.of("repetition_penalty"));
        switch (path) {
            case "/completion" -> required.addAll(List.of("prompt", "n_predict", "cache_prompt"));
            case "/v1/completions" -> required.addAll(List.of("model", "prompt", "max_tokens"));
            case "/v1/chat/completions" -> required.addAll(List.of("model", "messages", "max_tokens"));
            default -> {
                return "path " + path;
            }
        }
        for (String f : required) {
            if (!body.has(f)) {
                return f;
            }
        }
        if (body.has("model") && !models.contains(body.get("model").asText())) {
            return "model";
        }
        return null;
    }

    /** The decoded value of {@code name} in the request's query, or null. */
    private static String query(HttpExchange ex, String name) {
        String raw = ex.getRequestURI().getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private ObjectNode answer(String path, JsonNode body, int id) {
        int maxTokens = body.has("n_predict") ? body.get("n_predict").asInt() : body.get("max_tokens").asInt();
        List<String> allowed = choices(body);
        List<String> tokens = allowed.isEmpty() ? List.of("answer", "-", String.valueOf(id))
                : List.of(allowed.get(Math.floorMod(id, allowed.size())));
        List<String> thinking = thinks && path.equals("/v1/chat/completions") ? List.of("Let me", " see.") : List.of();
        int thought = Math.min(thinking.size(), maxTokens);
        maxTokens -= thought;
        boolean cut = tokens.size() > maxTokens;
        List<String> emitted = cut ? tokens.subList(0, maxTokens) : tokens;
        String text = String.join("", emitted);
        int alternatives = alternatives(path, body);
        ObjectNode o = JSON.createObjectNode();
        if (path.equals("/completion")) {
            o.put("content", text).put("tokens_predicted", emitted.size()).put("stop_type", cut ? "limit" : "eos")
                    .put("tokens_evaluated", 12).put("truncated", false);
            if (alternatives > 0) {
                o.set("completion_probabilities", tokenList(emitted, alternatives, id));
            }
            return o;
        }
        ObjectNode choice = o.putArray("choices").addObject().put("index", 0).put("finish_reason", cut ? "length" : "stop");
        if (path.equals("/v1/chat/completions") && opensThinking) {
            choice.putObject("message").put("role", "assistant").put("content", "").put("reasoning_content", "\n" + text);
        } else if (path.equals("/v1/chat/completions")) {
            ObjectNode message = choice.putObject("message").put("role", "assistant");
            if (thought > 0) {
                message.put(kind == ServerKind.VLLM ? "reasoning" : "reasoning_content",
                        String.join("", thinking.subList(0, thought)));
            }
            if (thought < thinking.size()) {
                // llama-server says "", the others null
                if (kind == ServerKind.LLAMA_SERVER) {
                    message.put("content", "");
                } else {
                    message.putNull("content");
                }
            } else {
                message.put("content", text);
            }
        } else {
            choice.put("text", text);
        }
        if (alternatives > 0) {
            if (path.equals("/v1/completions") && kind != ServerKind.LLAMA_SERVER) {
                ObjectNode lp = choice.putObject("logprobs");
                emitted.forEach(lp.putArray("tokens")::add);
                ArrayNode values = lp.putArray("token_logprobs");
                ArrayNode top = lp.putArray("top_logprobs");
                for (int i = 0; i < emitted.size(); i++) {
                    values.add(-0.25 * (i + 1));
                    ObjectNode alts = top.addObject();
                    for (Map.Entry<String, Double> e : top(alternatives, id, i)) {
                        alts.put(e.getKey(), e.getValue());
                    }
                }
            } else {
                choice.putObject("logprobs").set("content", tokenList(emitted, alternatives, id));
            }
        }
        int completion = thought + emitted.size();
        o.putObject("usage").put("prompt_tokens", 5).put("completion_tokens", completion).put("total_tokens", 5 + completion);
        return o;
    }

    /** Empties every {@code top_logprobs} list below {@code node}, and each of the legacy form's objects. */
    private static void emptyAlternatives(JsonNode node) {
        node.fields().forEachRemaining(e -> {
            if (e.getKey().equals("top_logprobs") && e.getValue().isArray()) {
                ArrayNode list = (ArrayNode) e.getValue();
                boolean legacy = list.size() > 0 && !list.get(0).has("token");
                if (legacy) {
                    list.forEach(position -> ((ObjectNode) position).removeAll());
                } else {
                    list.removeAll();
                }
            } else {
                emptyAlternatives(e.getValue());
            }
        });
        if (node.isArray()) {
            node.forEach(FakeInferenceServer::emptyAlternatives);
        }
    }

    /** The text cut to U+FFFD, and no alternatives: llama-server's answer when its one token is a piece of a character. */
    private static void withholdAlternatives(ObjectNode answer) {
        if (answer.has("content")) {
            answer.put("content", "\uFFFD").remove("completion_probabilities");
            return;
        }
        ObjectNode choice = (ObjectNode) answer.path("choices").path(0);
        if (choice.has("message")) {
            ((ObjectNode) choice.get("message")).put("content", "\uFFFD");
        } else {
            choice.put("text", "\uFFFD");
        }
        choice.putNull("logprobs");
    }

    /**
     * Makes the first two entries of every list of alternatives below {@code node} halves of characters;
     * the legacy form, an object from text to log-probability, cannot list them apart and is left as it is.
     */
    private static void splitCharacters(JsonNode node) {
        node.fields().forEachRemaining(e -> {
            if (e.getKey().equals("top_logprobs") && e.getValue().size() >= 2 && e.getValue().get(0).has("token")) {
                for (int j = 0; j < 2; j++) {
                    ObjectNode entry = (ObjectNode) e.getValue().get(j);
                    entry.put("token", "");
                    entry.putArray("bytes").add(0xE4).add(0xB8 + j);
                }
            } else {
                splitCharacters(e.getValue());
            }
        });
        if (node.isArray()) {
            node.forEach(FakeInferenceServer::splitCharacters);
        }
    }

    /** How many alternatives per token the request asks for (0 for none). */
    private static int alternatives(String path, JsonNode body) {
        return switch (path) {
            case "/completion" -> body.path("n_probs").asInt(0);
            case "/v1/completions" -> body.path("logprobs").asInt(0);
            default -> body.path("logprobs").asBoolean(false) ? body.path("top_logprobs").asInt(0) : 0;
        };
    }

    private static ArrayNode tokenList(List<String> emitted, int alternatives, int id) {
        ArrayNode list = JSON.createArrayNode();
        for (int i = 0; i < emitted.size(); i++) {
            ObjectNode t = list.addObject().put("id", 100 + i).put("token", emitted.get(i)).put("logprob", -0.25 * (i + 1));
            ArrayNode top = t.putArray("top_logprobs");
            for (Map.Entry<String, Double> e : top(alternatives, id, i)) {
                ArrayNode bytes = top.addObject().put("token", e.getKey()).put("logprob", e.getValue()).putArray("bytes");
                for (byte b : e.getKey().getBytes(StandardCharsets.UTF_8)) {
                    bytes.add(b & 0xff);
                }
            }
        }
        return list;
    }

    /**
     * The {@code k} alternatives at position {@code i} for prompt {@code id}: letters from 'A'
     * rotated by the id, log-probabilities -1, -2, ... (so prompt 2's most probable is "C"); they sum
     * to less than 1 for any k, as a real top-K list does.
     */
    public static List<Map.Entry<String, Double>> top(int k, int id, int i) {
        List<Map.Entry<String, Double>> out = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            out.add(Map.entry(String.valueOf((char) ('A' + Math.floorMod(id + i + j, 26))), -1.0 * (j + 1)));
        }
        return out;
    }

    /** The allowed answers of a constrained request, in the form each server takes them; empty if none. */
    private List<String> choices(JsonNode body) {
        List<String> out = new ArrayList<>();
        if (body.has("grammar")) {
            Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(body.get("grammar").asText());
            while (m.find()) {
                out.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
            }
        } else if (kind == ServerKind.VLLM) {
            // vLLM takes structured_outputs since 0.11; 0.12 removed guided_choice; either, where unknown, is
            // ignored: the answer comes unconstrained, no error saying so
            JsonNode structured = ServerKind.olderThan(build, 0, 11) ? MissingNode.getInstance()
                    : body.path("structured_outputs").path("choice");
            JsonNode list = structured.isMissingNode() && ServerKind.olderThan(build, 0, 12) ? body.path("guided_choice") : structured;
            list.forEach(c -> out.add(c.asText()));
        } else if (body.has("regex")) {
            String r = body.get("regex").asText();
            for (String alt : r.substring(1, r.length() - 1).split("\\|")) {
                out.add(alt.replaceAll("\\\\(.)", "$1"));
            }
        }
        return out;
    }

    /** SGLang's error object is flat, as OpenAI's was before it nested one under {@code error}. */
    private String error(int code, String message) {
        ObjectNode o = JSON.createObjectNode();
        (kind == ServerKind.SGLANG ? o.put("object", "error").put("type", "BadRequestError") : o.putObject("error"))
                .put("code", code).put("message", message);
        return o.toString();
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        try {
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            // the client gave up on this request (a timeout) and closed the connection
        }
    }

    private static void sleep(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(d.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
