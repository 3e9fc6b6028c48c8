package io.quantsweep.eval.backend.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.backend.Backend;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.BackendException.Reason;
import io.quantsweep.eval.backend.Capability;
import io.quantsweep.eval.backend.Choice;
import io.quantsweep.eval.backend.Completion;
import io.quantsweep.eval.backend.FinishReason;
import io.quantsweep.eval.backend.GenerationParams;
import io.quantsweep.eval.backend.NextTokenDistribution;
import io.quantsweep.eval.backend.TokenLogprob;
import io.quantsweep.format.gguf.GgufHeader;
import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.gguf.GgufPlan;
import io.quantsweep.format.gguf.GgufReader;
import io.quantsweep.format.gguf.GgufTensorInfo;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.gguf.GgufWriter;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded backend on a real (random-weight) llama GGUF, {@code tiny-llama-256x2-Q3_K_M.gguf}
 * (vocabulary 1,024, 2 blocks), loaded once for the JVM. Each test runs on its own thread under a
 * timeout, so a native hang fails the test instead of stopping the build.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
class EmbeddedBackendTest {
    private static final String PROMPT = "The answer is";
    private static final List<String> LETTERS = List.of("A", "B", "C", "D");
    private static EmbeddedConfig config;
    private static Backend backend;

    static Path sample(String name) {
        URL url = EmbeddedBackendTest.class.getResource("/gguf-samples/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource gguf-samples/" + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void load() throws BackendException {
        config = EmbeddedConfig.of(sample("tiny-llama-256x2-Q3_K_M.gguf").toString()).withContextSize(512).withThreads(1);
        backend = config.open();
    }

    @Test
    void recordsTheBundledLlamaCppBuildAndTheModel() {
        var info = backend.serverInfo();
        assertEquals("embedded-llama.cpp", info.backend());
        assertEquals("v0.5.0-de3ff81", info.build(), "llama.cpp v0.5.0 (de3ff81), as jobs/llama-native.sh builds it in");
        assertEquals(Path.of(config.modelPath()).toAbsolutePath().normalize().toString(), info.model());
        assertEquals("tiny-random-llama-256x2", info.details().get("general.name"));
        assertEquals("quantsweep-llama (JNI) over @node-llama-cpp/linux-x64@3.22.1", info.details().get("binding"));
        assertTrue(info.details().get("system_info").startsWith("CPU : "), info.details().get("system_info"));
        assertEquals("512", info.details().get("context_size"));
        assertEquals("false", info.details().get("cache_prompt"));
    }

    @Test
    void greedyGenerationRepeatsAndUsesTheWholeBudget() throws BackendException {
        Completion first = backend.generate(PROMPT, GenerationParams.greedy(8));
        Completion second = backend.generate(PROMPT, GenerationParams.greedy(8));
        assertFalse(first.text().isEmpty());
        assertEquals(first.text(), second.text());
        // this random model does not emit end-of-sequence within 8 tokens of this prompt
        assertEquals(8, first.tokens());
        assertEquals(FinishReason.LENGTH, first.finishReason());
        assertTrue(first.tokenLogprobs().isEmpty());
        assertEquals(1, first.attempts());
        assertTrue(first.latency().toNanos() > 0);
    }

    @Test
    void seededSamplingRepeats() throws BackendException {
        GenerationParams sampled = GenerationParams.builder().maxTokens(12).temperature(1.5).topK(0).seed(7).build();
        Completion a = backend.generate(PROMPT, sampled);
        Completion b = backend.generate(PROMPT, sampled);
        assertEquals(a.text(), b.text());
        assertEquals(a.tokens(), b.tokens());
        assertEquals(a.finishReason(), b.finishReason());
    }

    @Test
    void stopStringEndsGenerationBeforeIt() throws BackendException {
        String full = backend.generate(PROMPT, GenerationParams.greedy(8)).text();
        int i = 1;
        while (i < full.length() && Character.isWhitespace(full.charAt(i))) {
            i++;
        }
        assertTrue(i < full.length(), "greedy text needs a visible character after the first: '" + full + "'");
        String stop = full.substring(i, i + 1);
        Completion cut = backend.generate(PROMPT, GenerationParams.builder().maxTokens(8).stop(List.of(stop)).build());
        assertEquals(full.substring(0, full.indexOf(stop)), cut.text());
        assertEquals(FinishReason.STOP, cut.finishReason());
        assertTrue(cut.tokens() < 8, "stopped after " + cut.tokens() + " tokens");
    }

    @Test
    void choiceIsTheGreedyArgmaxAmongTheAllowedAnswers() throws BackendException {
        String prompt = "Question: which letter? Answer:";
        Choice best = backend.choose(prompt, LETTERS);
        assertEquals(best.text(), LETTERS.get(best.index()));
        assertEquals(best, withoutLatency(backend.choose(prompt, LETTERS), best));
        // the most probable of four is also the most probable of any pair it is in, in either order
        for (String other : LETTERS) {
            if (!other.equals(best.text())) {
                assertEquals(best.text(), backend.choose(prompt, List.of(other, best.text())).text(), other);
                assertEquals(best.text(), backend.choose(prompt, List.of(best.text(), other)).text(), other);
            }
        }
    }

    @Test
    void choiceConstrainsWhatTheModelWouldNotSay() throws BackendException {
        String free = backend.generate(PROMPT, GenerationParams.greedy(4)).text();
        List<String> answers = List.of(" yes", " no", "\"maybe\"");
        assertFalse(answers.stream().anyMatch(free::startsWith), free);
        Choice c = backend.choose(PROMPT, answers);
        assertEquals(answers.get(c.index()), c.text());
        assertEquals("only", backend.choose(PROMPT, List.of("only")).text());
    }

    @Test
    void aChoiceBeyondTheBasicPlaneIsSpelledInUtf8() throws BackendException {
        // the grammar reaches llama.cpp as UTF-8 bytes: JNI's modified UTF-8 would spell the emoji as two
        // surrogates, which no token's bytes (this vocabulary's byte tokens included) can match
        assertEquals("😀", backend.choose(PROMPT, List.of("😀")).text());
        assertEquals("𝔸", backend.choose(PROMPT, List.of("𝔸")).text());
    }

    @Test
    void concurrentCallersGetTheSequentialAnswers() throws Exception {
        String expected = backend.generate(PROMPT, GenerationParams.greedy(6)).text();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                results.add(pool.submit(() -> backend.generate(PROMPT, GenerationParams.greedy(6)).text()));
            }
            for (Future<String> f : results) {
                assertEquals(expected, f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theNextTokenDistributionIsTheSoftmaxOfTheLogitsAndLeadsGreedyDecoding() throws BackendException {
        config.requireCapabilities(Capability.values());
        NextTokenDistribution all = backend.topK(PROMPT, 1024);
        assertEquals(1024, all.top().size(), "the whole vocabulary");
        double mass = all.top().stream().mapToDouble(t -> Math.exp(t.logprob())).sum();
        assertEquals(1, mass, 1e-6);
        NextTokenDistribution top = backend.topK(PROMPT, 5);
        assertEquals(5, top.top().size());
        assertEquals(all.top().subList(0, 5), top.top());
        // greedy decoding takes the most probable token, and reports the same log-probability for it
        Completion first = backend.generate(PROMPT, GenerationParams.builder().maxTokens(1).tokenLogprobs(true).build());
        assertEquals(List.of(top.top().get(0)), first.tokenLogprobs());
        assertEquals(top.top().get(0).token(), first.text());
    }

    @Test
    void eachGeneratedTokenHasItsLogprobAndAPromptCacheAnswersTheSame(@TempDir Path dir) throws Exception {
        GenerationParams withLogprobs = GenerationParams.builder().maxTokens(8).tokenLogprobs(true).build();
        Completion fresh = backend.generate(PROMPT, withLogprobs);
        assertEquals(8, fresh.tokenLogprobs().size());
        assertEquals(fresh.text(), fresh.tokenLogprobs().stream().map(TokenLogprob::token).collect(Collectors.joining()));
        String longer = PROMPT + " not";
        Completion longerFresh = backend.generate(longer, withLogprobs);
        // another path, so that this JVM loads the file a second time, reusing its cache between prompts
        Path copy = Files.copy(Path.of(config.modelPath()), dir.resolve("cached.gguf"));
        Backend cached = EmbeddedConfig.of(copy.toString()).withContextSize(512).withThreads(1).withCachePrompt(true).open();
        assertEquals(fresh.text(), cached.generate(PROMPT, withLogprobs).text());
        assertEquals(fresh.text(), cached.generate(PROMPT, withLogprobs).text(), "the whole prompt cached");
        assertEquals(longerFresh.text(), cached.generate(longer, withLogprobs).text(), "a prefix cached");
        assertEquals(fresh.text(), cached.generate(PROMPT, withLogprobs).text(), "a longer prompt cached");
    }

    @Test
    void oneModelPerFilePerJvm() throws BackendException {
        try (Backend again = config.open()) {
            assertEquals(backend.serverInfo(), again.serverInfo());
        }
        assertEquals("tiny-random-llama-256x2", config.open().serverInfo().details().get("general.name"),
                "closing a backend leaves the model loaded");
        BackendException e = assertThrows(BackendException.class, () -> config.withContextSize(256).open());
        assertEquals(Reason.BAD_CONFIG, e.reason());
    }

    @Test
    void anAnswerEndsWhereTheContextEnds() throws BackendException {
        // 512 tokens of context hold the prompt (4 tokens and the BOS llama.cpp adds) and 507 generated
        Completion longest = backend.generate(PROMPT, GenerationParams.greedy(600));
        assertEquals(507, longest.tokens());
        assertEquals(FinishReason.LENGTH, longest.finishReason());
        assertEquals(longest.text(), backend.generate(PROMPT, GenerationParams.greedy(507)).text());
    }

    @Test
    void aPromptTheContextCannotHoldIsRefused() {
        String words = "word ".repeat(300);
        for (var ask : List.<Executable>of(
                () -> backend.generate(words, GenerationParams.greedy(4)), () -> backend.choose(words, LETTERS))) {
            BackendException e = assertThrows(BackendException.class, ask);
            assertEquals(Reason.REJECTED, e.reason());
            assertTrue(e.getMessage().startsWith("the prompt (604 tokens) leaves 0 tokens for an answer, which needs at "
                    + "least "), e.getMessage());
            assertTrue(e.getMessage().contains(" in the context of 512 tokens of "), e.getMessage());
        }
    }

    @Test
    void aChoiceTheContextCannotFinishIsRefusedNotBlamedOnTheEngine() throws BackendException {
        LlamaSlot slot = EmbeddedEngine.load(config).slot();
        String prompt = "word";
        while (slot.tokenize(prompt + " word").length < 511) {
            prompt += " word";
        }
        String last = prompt;
        BackendException e = assertThrows(BackendException.class, () -> backend.choose(last, List.of("Paris", "London")));
        assertEquals(Reason.REJECTED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("tokens for an answer, which needs at least "), e.getMessage());
    }

    @Test
    void theTokensAPromptGainsAndTheContextsRoundingAreCounted(@TempDir Path dir) throws Exception {
        // the sample, but its tokenizer adds EOS to every prompt as well as BOS
        Path eos = dir.resolve("eos.gguf");
        try (GgufReader sample = GgufReader.open(Path.of(config.modelPath()))) {
            GgufHeader h = sample.header();
            GgufMetadata md = h.metadata();
            md.put("tokenizer.ggml.add_eos_token", GgufValue.bool(true));
            GgufWriter.write(eos, GgufPlan.of(md, h.tensors().stream().map(GgufTensorInfo::spec).toList()),
                    sample::tensorData);
        }
        // llama.cpp rounds 500 tokens of context up to 512; the prompt fills 4 + BOS + EOS of them
        Backend withEos = EmbeddedConfig.of(eos.toString()).withContextSize(500).withThreads(1).open();
        assertEquals("512", withEos.serverInfo().details().get("context_size"));
        Completion longest = withEos.generate(PROMPT, GenerationParams.greedy(600));
        assertEquals(506, longest.tokens());
        assertEquals(FinishReason.LENGTH, longest.finishReason());
    }

    @Test
    void contextSizeZeroIsTheModelsOwn(@TempDir Path dir) throws Exception {
        // another path, so that this JVM loads the file a second time, with context size 0
        Path copy = Files.copy(Path.of(config.modelPath()), dir.resolve("copy.gguf"));
        EmbeddedConfig own = EmbeddedConfig.of(copy.toString()).withThreads(1);
        assertEquals("512", own.open().serverInfo().details().get("context_size"));
        assertEquals(507, own.open().generate(PROMPT, GenerationParams.greedy(600)).tokens());
    }

    @Test
    void theArithmeticOfDistributionsAndStopStringsHoldsAtItsEdges() {
        // no overflow at large logits: log(e^1000 + e^1000) = 1000 + ln 2
        assertEquals(1000 + Math.log(2), EmbeddedBackend.logSumExp(new float[] {1000, 1000}), 1e-9);
        assertEquals(Math.log(3), EmbeddedBackend.logSumExp(new float[] {0, 0, Float.NEGATIVE_INFINITY, 0}), 1e-12);
        // largest first, ties to the lower token id, never more than the vocabulary
        float[] logits = {1, 3, 2, 3, -1};
        assertEquals(List.of(1, 3, 2), toList(EmbeddedBackend.mostProbable(logits, 3)));
        assertEquals(List.of(1, 3, 2, 0, 4), toList(EmbeddedBackend.mostProbable(logits, 9)));
        // the earliest stop string wins, searched from the given offset
        List<byte[]> stops = List.of("cd".getBytes(StandardCharsets.UTF_8), "b".getBytes(StandardCharsets.UTF_8));
        byte[] text = "abcdb".getBytes(StandardCharsets.UTF_8);
        assertEquals(1, EmbeddedBackend.firstStop(text, 5, 0, stops));
        assertEquals(2, EmbeddedBackend.firstStop(text, 5, 2, stops));
        assertEquals(4, EmbeddedBackend.firstStop(text, 5, 3, stops));
        assertEquals(-1, EmbeddedBackend.firstStop(text, 3, 2, stops), "a stop string cut off at the end is no match yet");
        assertEquals(-1, EmbeddedBackend.firstStop(text, 4, 0, List.of()), "no stop strings");
    }

    private static List<Integer> toList(int[] tokens) {
        return Arrays.stream(tokens).boxed().toList();
    }

    @Test
    void rejectsBadChoiceLists() {
        assertThrows(IllegalArgumentException.class, () -> backend.choose(PROMPT, List.of()));
        assertThrows(IllegalArgumentException.class, () -> backend.choose(PROMPT, List.of("A", "A")));
        assertThrows(IllegalArgumentException.class, () -> backend.choose(PROMPT, List.of("A", "")));
    }

    private static Choice withoutLatency(Choice c, Choice like) {
        return new Choice(c.index(), c.text(), like.latency(), c.attempts());
    }
}
