package io.quantsweep.eval.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.backend.Backend;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.BackendException.Reason;
import io.quantsweep.eval.backend.Completion;
import io.quantsweep.eval.backend.FinishReason;
import io.quantsweep.eval.backend.GenerationParams;
import io.quantsweep.eval.backend.http.FakeInferenceServer.Fault;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The faults a sweep meets, injected by a real server: each is retried a bounded number of times,
 * no prompt is lost or asked more often than its faults explain, answers map one to one to prompts,
 * and no endpoint ever has more requests in flight than its limit.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpFaultsTest {
    private static final GenerationParams PARAMS = GenerationParams.greedy(8);

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"SERVER_ERROR", "RATE_LIMITED", "SLOW", "DROP", "MALFORMED"})
    void transientFaultsAreRetried(Fault fault) throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.LLAMA_SERVER);
             CapturedLog log = new CapturedLog();
             Backend backend = HttpTesting.config(ServerKind.LLAMA_SERVER, Api.NATIVE, server).build().open()) {
            server.faults(3, fault, fault);
            Completion c = backend.generate("#3", PARAMS);
            assertEquals("answer-3", c.text());
            assertEquals(3, c.attempts(), "two faults, then the answer");
            assertEquals(3, server.requests(3));
            assertEquals(2, log.text().lines().filter(l -> l.contains("retrying in")).count(), log.text());
        }
    }

    @ParameterizedTest
    @CsvSource({"SERVER_ERROR, UNAVAILABLE", "RATE_LIMITED, RATE_LIMITED", "SLOW, TIMEOUT", "DROP, UNAVAILABLE",
            "MALFORMED, BAD_RESPONSE"})
    void retriesAreBounded(Fault fault, Reason reason) throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.VLLM);
             Backend backend = HttpTesting.config(ServerKind.VLLM, Api.COMPLETIONS, server).build().open()) {
            server.always(9, fault);
            BackendException e = assertThrows(BackendException.class, () -> backend.generate("#9", PARAMS));
            assertEquals(reason, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("gave up after 4 attempts") && e.getMessage().contains(server.uri().toString()),
                    e.getMessage());
            assertEquals(4, server.requests(9));
            assertEquals("answer-10", backend.generate("#10", PARAMS).text(), "other prompts still work");
        }
    }

    @Test
    void anAbortedAnswerIsRetriedNotScored() throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.SGLANG);
             Backend backend = HttpTesting.config(ServerKind.SGLANG, Api.COMPLETIONS, server).build().open()) {
            server.faults(6, Fault.ABORTED, Fault.ABORTED);
            Completion c = backend.generate("#6", PARAMS);
            assertEquals("answer-6", c.text());
            assertEquals(3, c.attempts(), "two aborted answers, then the answer");

            server.always(7, Fault.ABORTED);
            BackendException e = assertThrows(BackendException.class, () -> backend.generate("#7", PARAMS));
            assertEquals(Reason.UNAVAILABLE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("gave up after 4 attempts") && e.getMessage().contains("aborted"),
                    e.getMessage());
        }
    }

    @Test
    void anAnswerThatLostThePromptsStartIsNotScoredButOneCutAtTheContextsEndIs() throws IOException, BackendException {
        // slots of 13 tokens; the fake's prompts take 12
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.LLAMA_SERVER).context(13);
             FakeInferenceServer wider = new FakeInferenceServer(ServerKind.LLAMA_SERVER).context(20);
             Backend backend = HttpTesting.config(ServerKind.LLAMA_SERVER, Api.NATIVE, server).build().open();
             Backend onWider = HttpTesting.config(ServerKind.LLAMA_SERVER, Api.NATIVE, wider).build().open()) {
            server.always(3, Fault.CONTEXT_SHIFTED);
            wider.always(4, Fault.CONTEXT_FULL);
            for (Executable ask : List.<Executable>of(() -> backend.generate("#3", PARAMS),
                    // a choice of one token, cut at the slot's end but with 12 + 1 tokens in a slot of 20
                    () -> onWider.choose("#4", List.of("A", "B")),
                    // cut at its length, but 12 + 2 tokens are more than the slot holds: the context shifted
                    () -> backend.generate("#3", GenerationParams.greedy(2)),
                    // stopped with 12 + 1 tokens in a slot of 20: the server cut the prompt to fit first
                    () -> onWider.generate("#4", PARAMS), () -> onWider.topK("#4", 4))) {
                BackendException e = assertThrows(BackendException.class, ask);
                assertEquals(Reason.REJECTED, e.reason(), e.getMessage());
                assertTrue(e.getMessage().contains("llama-server dropped the start of the prompt to fit its slot's context ("),
                        e.getMessage());
                assertTrue(e.getMessage().contains(" tokens; it kept 12 prompt tokens and generated "), e.getMessage());
            }
            assertEquals(2, server.requests(3), "not retried");

            // stopped where 12 + 1 tokens fill the slot of 13, as llama-server without context shift stops
            server.always(4, Fault.CONTEXT_FULL);
            Completion cut = backend.generate("#4", PARAMS);
            assertEquals("answer", cut.text());
            assertEquals(FinishReason.LENGTH, cut.finishReason());
            assertEquals(4, backend.topK("#4", 4).top().size(), "a next-token list at the context's end is whole");
        }
    }

    @Test
    void anAnswerWhoseLastTokenEndsItAtTheContextsEndIsScored() throws IOException, BackendException {
        // slots of 13 tokens; the fake's prompts take 12. llama-server b1-de3ff81 (September 2026), measured:
        // a grammar's letter and then EOS with the prompt two short of the slot answers truncated: true,
        // stop_type: eos; a stop string met at the slot's last token answers stop_type: limit, stopping_word
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.LLAMA_SERVER).context(13);
             Backend backend = HttpTesting.config(ServerKind.LLAMA_SERVER, Api.NATIVE, server).build().open()) {
            server.always(4, Fault.CONTEXT_FULL_EOS);
            Completion ended = backend.generate("#4", PARAMS);
            assertEquals("answer", ended.text());
            assertEquals(FinishReason.STOP, ended.finishReason());
            assertEquals("answer", backend.choose("#4", List.of("answer", "other")).text());

            server.always(5, Fault.CONTEXT_FULL_STOP_WORD);
            Completion stopped = backend.generate("#5", GenerationParams.builder().maxTokens(8).stop(List.of("-")).build());
            assertEquals("answer", stopped.text());
            assertEquals(FinishReason.STOP, stopped.finishReason(), "the stop string ended it, not the slot");
            assertEquals(2, server.requests(4), "not retried");
        }
    }

    @Test
    void anOlderLlamaServerFailingAtTheContextsEndIsNotRetried() throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.LLAMA_SERVER);
             Backend backend = HttpTesting.config(ServerKind.LLAMA_SERVER, Api.NATIVE, server).build().open()) {
            server.always(5, Fault.CONTEXT_SHIFT_DISABLED);
            BackendException e = assertThrows(BackendException.class, () -> backend.generate("#5", PARAMS));
            assertEquals(Reason.REJECTED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("500 context shift is disabled (the request reached the end of the slot's "
                    + "context, which this llama-server build fails"), e.getMessage());
            assertEquals(1, server.requests(5));
        }
    }

    @Test
    void aFullSharedKvCacheIsRetriedAndNamedWithItsFix() throws IOException, BackendException {
        // llama-server b1-de3ff81 without --parallel, measured: four slots share one cache of --ctx-size, and four
        // 600-token prompts at once in 1024 tokens all failed so
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.LLAMA_SERVER);
             Backend backend = HttpTesting.config(ServerKind.LLAMA_SERVER, Api.NATIVE, server).build().open()) {
            server.faults(5, Fault.KV_CACHE_FULL);
            assertEquals("answer-5", backend.generate("#5", PARAMS).text(), "fewer requests in flight may fit");
            assertEquals(2, server.requests(5));

            server.always(6, Fault.KV_CACHE_FULL);
            BackendException e = assertThrows(BackendException.class, () -> backend.generate("#6", PARAMS));
            assertEquals(Reason.UNAVAILABLE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("500 Context size has been exceeded. (the slots' requests together outgrew "
                    + "the KV cache: without --parallel"), e.getMessage());
        }
    }

    @Test
    void clientErrorsAreNotRetried() throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.SGLANG);
             Backend backend = HttpTesting.config(ServerKind.SGLANG, Api.CHAT, server).build().open()) {
            server.faults(4, Fault.BAD_REQUEST);
            BackendException e = assertThrows(BackendException.class, () -> backend.generate("#4", PARAMS));
            assertEquals(Reason.REJECTED, e.reason());
            assertTrue(e.getMessage().contains("400 bad request"), e.getMessage());
            assertEquals(1, server.requests(4));
        }
    }

    @Test
    void vllmsCapOnAlternativesIsNamedWithItsFix() throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.VLLM);
             Backend backend = HttpTesting.config(ServerKind.VLLM, Api.COMPLETIONS, server).build().open()) {
            assertEquals(20, backend.topK("#4", 20).top().size());
            BackendException e = assertThrows(BackendException.class, () -> backend.topK("#4", 21));
            assertEquals(Reason.REJECTED, e.reason());
            assertTrue(e.getMessage().endsWith("400 Requested sample logprobs of 21, which is greater than max allowed: 20 "
                    + "(vLLM gives at most its --max-logprobs alternatives, 20 unless set: ask top-k 20 or fewer, or start "
                    + "it with --max-logprobs 21) [REJECTED]"), e.getMessage());
        }
    }

    @Test
    void aBodyBeyondTheCapFailsItsRequestWithoutARetry() throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.LLAMA_SERVER);
             Backend backend = HttpTesting.config(ServerKind.LLAMA_SERVER, Api.NATIVE, server)
                     .readTimeout(Duration.ofSeconds(20)).build().open()) {
            // the cap is what this tests, not the timeout: the 64 MiB it reads first may take seconds here
            server.faults(6, Fault.HUGE);
            BackendException e = assertThrows(BackendException.class, () -> backend.generate("#6", PARAMS));
            assertEquals(Reason.BAD_RESPONSE, e.reason());
            assertTrue(e.getMessage().contains("over " + Transport.MAX_BODY_BYTES + " bytes"), e.getMessage());
            assertEquals(1, server.requests(6));
            assertEquals("answer-7", backend.generate("#7", PARAMS).text(), "the next request works");
        }
    }

    @Test
    void retryAfterIsHonouredUpToItsCap() throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.LLAMA_SERVER)) {
            server.faults(1, Fault.RATE_LIMITED_1S);
            server.faults(2, Fault.RATE_LIMITED_1S);
            try (Backend backend = HttpTesting.config(ServerKind.LLAMA_SERVER, Api.NATIVE, server).build().open()) {
                long start = System.nanoTime();
                assertEquals("answer-1", backend.generate("#1", PARAMS).text());
                long waited = System.nanoTime() - start;
                assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(1000), "waited only " + waited / 1_000_000 + " ms");
            }
            RetryPolicy capped = new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(40), Duration.ofMillis(50));
            try (CapturedLog log = new CapturedLog();
                 Backend backend = HttpTesting.config(ServerKind.LLAMA_SERVER, Api.NATIVE, server).retry(capped).build().open()) {
                assertEquals("answer-2", backend.generate("#2", PARAMS).text());
                assertTrue(log.text().contains("retrying in 50 ms"), "Retry-After 1 s, capped at 50 ms: " + log.text());
            }
            assertEquals(2, server.requests(1));
            assertEquals(2, server.requests(2));
        }
    }

    @Test
    void concurrencyNeverExceedsTheLimitOfAnyEndpoint() throws Exception {
        try (FakeInferenceServer a = new FakeInferenceServer(ServerKind.LLAMA_SERVER).delay(Duration.ofMillis(25));
             FakeInferenceServer b = new FakeInferenceServer(ServerKind.LLAMA_SERVER, a).delay(Duration.ofMillis(25));
             Backend backend = HttpTesting.config(ServerKind.LLAMA_SERVER, Api.NATIVE, a, b)
                     .maxConcurrentPerEndpoint(3).readTimeout(Duration.ofSeconds(5)).build().open()) {
            Map<Integer, Completion> answers = runAll(backend, 48, 12);
            for (int id = 0; id < 48; id++) {
                assertEquals("answer-" + id, answers.get(id).text());
                assertEquals(1, a.requests(id), "prompt " + id);
            }
            assertTrue(a.maxInFlight() <= 3 && b.maxInFlight() <= 3, a.maxInFlight() + ", " + b.maxInFlight());
            assertTrue(a.maxInFlight() >= 2 || b.maxInFlight() >= 2, "requests never overlapped");
            assertTrue(a.bodies().size() >= 8 && b.bodies().size() >= 8,
                    "both endpoints take a share: " + a.bodies().size() + ", " + b.bodies().size());
        }
    }

    @Test
    void mixedFaultsLoseAndDuplicateNothing() throws Exception {
        Fault[] kinds = {Fault.SERVER_ERROR, Fault.RATE_LIMITED, Fault.DROP, Fault.MALFORMED, Fault.SLOW};
        Random random = new Random(42);
        int prompts = 40;
        int[] planned = new int[prompts];
        try (FakeInferenceServer a = new FakeInferenceServer(ServerKind.VLLM);
             FakeInferenceServer b = new FakeInferenceServer(ServerKind.VLLM, a);
             Backend backend = HttpTesting.config(ServerKind.VLLM, Api.CHAT, a, b).maxConcurrentPerEndpoint(4).build().open()) {
            for (int id = 0; id < prompts; id++) {
                planned[id] = random.nextInt(4);
                Fault[] f = new Fault[planned[id]];
                for (int i = 0; i < f.length; i++) {
                    f[i] = kinds[random.nextInt(kinds.length)];
                }
                a.faults(id, f);
            }
            Map<Integer, Completion> answers = runAll(backend, prompts, 8);
            for (int id = 0; id < prompts; id++) {
                assertEquals("answer-" + id, answers.get(id).text(), "prompt " + id);
                assertEquals(planned[id] + 1, a.requests(id), "prompt " + id + ": one attempt per fault, then one answer");
                assertEquals(planned[id] + 1, answers.get(id).attempts(), "prompt " + id);
            }
            assertTrue(a.bodies().size() + b.bodies().size() == a.totalRequests());
        }
    }

    /** Generates prompts {@code #0..#n-1} on {@code threads} threads; answers by prompt id. */
    private static Map<Integer, Completion> runAll(Backend backend, int n, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Completion>> futures = new ArrayList<>();
            for (int id = 0; id < n; id++) {
                String prompt = "Question #" + id;
                futures.add(pool.submit(() -> backend.generate(prompt, PARAMS)));
            }
            Map<Integer, Completion> answers = new HashMap<>();
            for (int id = 0; id < n; id++) {
                answers.put(id, futures.get(id).get(20, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }
}
