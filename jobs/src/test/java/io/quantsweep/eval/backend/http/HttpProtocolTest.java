package io.quantsweep.eval.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.quantsweep.eval.backend.Backend;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.BackendException.Reason;
import io.quantsweep.eval.backend.Capability;
import io.quantsweep.eval.backend.Choice;
import io.quantsweep.eval.backend.Completion;
import io.quantsweep.eval.backend.FinishReason;
import io.quantsweep.eval.backend.GenerationParams;
import io.quantsweep.eval.backend.NextTokenDistribution;
import io.quantsweep.eval.backend.ServerInfo;
import io.quantsweep.eval.backend.TokenLogprob;
import io.quantsweep.eval.backend.http.FakeInferenceServer.Fault;
import io.quantsweep.eval.prompt.Reasoning;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every server kind and API it has, against a real HTTP server speaking that API: generation,
 * per-token log-probabilities, constrained choice, the next-token distribution and server info;
 * and the request fields each server needs.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HttpProtocolTest {
    private static final Map<ServerKind, FakeInferenceServer> SERVERS = new EnumMap<>(ServerKind.class);

    @BeforeAll
    static void start() throws IOException {
        for (ServerKind kind : ServerKind.values()) {
            SERVERS.put(kind, new FakeInferenceServer(kind));
        }
    }

    @AfterAll
    static void stop() {
        SERVERS.values().forEach(FakeInferenceServer::close);
    }

    static Stream<Arguments> apis() {
        return Stream.of(
                Arguments.of(ServerKind.LLAMA_SERVER, Api.NATIVE),
                Arguments.of(ServerKind.LLAMA_SERVER, Api.COMPLETIONS),
                Arguments.of(ServerKind.LLAMA_SERVER, Api.CHAT),
                Arguments.of(ServerKind.VLLM, Api.COMPLETIONS),
                Arguments.of(ServerKind.VLLM, Api.CHAT),
                Arguments.of(ServerKind.SGLANG, Api.COMPLETIONS),
                Arguments.of(ServerKind.SGLANG, Api.CHAT));
    }

    @ParameterizedTest
    @MethodSource("apis")
    void generatesWithEveryFieldSent(ServerKind kind, Api api) throws IOException {
        FakeInferenceServer server = SERVERS.get(kind);
        try (Backend backend = HttpTesting.config(kind, api, server).cachePrompt(true).build().open()) {
            GenerationParams params = GenerationParams.builder().maxTokens(8).temperature(0.6).topP(0.95).seed(11)
                    .stop(List.of("</s>")).build();
            Completion c = backend.generate("Question #7: what?", params);
            assertEquals("answer-7", c.text());
            assertEquals(3, c.tokens());
            assertEquals(FinishReason.STOP, c.finishReason());
            assertTrue(c.tokenLogprobs().isEmpty());

            JsonNode sent = server.lastBody();
            assertEquals(0.6, sent.get("temperature").asDouble());
            assertEquals(0.95, sent.get("top_p").asDouble());
            assertEquals(kind == ServerKind.LLAMA_SERVER ? 0 : -1, sent.get("top_k").asInt(), "top-k off");
            assertEquals(0.0, sent.get("min_p").asDouble());
            assertEquals(11, sent.get("seed").asInt());
            assertEquals("</s>", sent.get("stop").get(0).asText());
            assertEquals(8, sent.get(api == Api.NATIVE ? "n_predict" : "max_tokens").asInt());
            assertEquals(kind == ServerKind.LLAMA_SERVER, sent.has("cache_prompt"));
            assertTrue(sent.has("model"), "one llama-server ignores it natively; in router mode it picks the model");
            assertFalse(sent.has("n_probs") || sent.has("logprobs") || sent.has("grammar"));

            Completion cut = backend.generate("Question #7: what?", GenerationParams.greedy(2));
            assertEquals("answer-", cut.text());
            assertEquals(2, cut.tokens());
            assertEquals(FinishReason.LENGTH, cut.finishReason());
        }
    }

    @ParameterizedTest
    @EnumSource(ServerKind.class)
    void aChatReplyKeepsTheThinkingAReasoningParserTookOutOfItsContent(ServerKind kind) throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(kind).thinks(true);
             Backend backend = HttpTesting.config(kind, Api.CHAT, server).build().open()) {
            Completion c = backend.generate("Question #7: what?", GenerationParams.greedy(8));
            assertEquals("<think>Let me see.</think>answer-7", c.text());
            assertEquals(5, c.tokens());
            assertEquals(new Reasoning.Reply("Let me see.", "answer-7", true), Reasoning.split(c.text(), false));

            // cut inside the thinking: content null, or empty from llama-server
            Completion cut = backend.generate("Question #7: what?", GenerationParams.greedy(1));
            assertEquals("<think>Let me", cut.text());
            assertEquals(FinishReason.LENGTH, cut.finishReason());
            assertEquals(new Reasoning.Reply("Let me", "", false), Reasoning.split(cut.text(), false), "no answer");
        }
    }

    @Test
    void aChatReplyThatIsAllThinkingIsNotReadAsAChoiceOrANextToken() throws IOException, BackendException {
        // llama-server b1-de3ff81 with DeepSeek-R1's template measured: grammar " A"|" B"|... answered
        // {content: "", reasoning_content: "\n A"}, finish stop; top_logprobs at max_tokens 1 the reasoning's
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.LLAMA_SERVER).opensThinking(true);
             Backend backend = HttpTesting.config(ServerKind.LLAMA_SERVER, Api.CHAT, server).build().open()) {
            for (Executable ask : List.<Executable>of(() -> backend.choose("Question #6\nAnswer:", List.of("A", "B", "C", "D")),
                    () -> backend.topK("Question #6\nAnswer:", 4))) {
                BackendException e = assertThrows(BackendException.class, ask);
                assertEquals(BackendException.Reason.REJECTED, e.reason(), e.getMessage());
                assertTrue(e.getMessage().contains("the reply is all thinking"), e.getMessage());
            }
            // generation keeps the thinking
            Completion c = backend.generate("Question #7: what?", GenerationParams.greedy(8));
            assertTrue(c.text().startsWith("<think>\nanswer-7"), c.text());
        }
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.LLAMA_SERVER).opensThinking(true);
             Backend backend = HttpTesting.config(ServerKind.LLAMA_SERVER, Api.COMPLETIONS, server).build().open()) {
            assertEquals("C", backend.choose("Question #6\nAnswer:", List.of("A", "B", "C", "D")).text(),
                    "the completions API has no template");
        }
    }

    @ParameterizedTest
    @MethodSource("apis")
    void returnsPerTokenLogprobsWhenAsked(ServerKind kind, Api api) throws IOException {
        FakeInferenceServer server = SERVERS.get(kind);
        try (Backend backend = HttpTesting.config(kind, api, server).build().open()) {
            Completion c = backend.generate("#12", GenerationParams.builder().maxTokens(8).tokenLogprobs(true).build());
            assertEquals(List.of(new TokenLogprob("answer", -0.25), new TokenLogprob("-", -0.5), new TokenLogprob("12", -0.75)),
                    c.tokenLogprobs());
        }
    }

    @ParameterizedTest
    @MethodSource("apis")
    void choosesUnderEachServersConstraint(ServerKind kind, Api api) throws IOException {
        FakeInferenceServer server = SERVERS.get(kind);
        try (Backend backend = HttpTesting.config(kind, api, server).build().open()) {
            List<String> letters = List.of("A", "B", "C", "D");
            Choice c = backend.choose("Question #6\nAnswer:", letters);
            assertEquals(2, c.index(), "the fake server picks choice id mod n");
            assertEquals("C", c.text());
            JsonNode sent = server.lastBody();
            switch (kind) {
                case LLAMA_SERVER -> assertEquals("root ::= \"A\" | \"B\" | \"C\" | \"D\"", sent.get("grammar").asText());
                case VLLM -> {
                    assertEquals("[\"A\",\"B\",\"C\",\"D\"]", sent.at("/structured_outputs/choice").toString());
                    assertFalse(sent.has("guided_choice"), "vLLM 0.12 and later ignore guided_choice");
                }
                case SGLANG -> assertEquals("(A|B|C|D)", sent.get("regex").asText());
            }
            assertEquals(0.0, sent.get("temperature").asDouble());
            assertEquals(2, sent.get(api == Api.NATIVE ? "n_predict" : "max_tokens").asInt(), "one byte and end of sequence");

            assertEquals(" no", backend.choose("#5", List.of(" yes", " no")).text());
        }
    }

    @ParameterizedTest
    @MethodSource("apis")
    void switchesOffTheSamplersAServerMayBeSetUpWith(ServerKind kind, Api api) throws IOException {
        FakeInferenceServer server = SERVERS.get(kind);
        try (Backend backend = HttpTesting.config(kind, api, server).build().open()) {
            backend.generate("#3", GenerationParams.builder().maxTokens(8).temperature(0.6).build());
            JsonNode sent = server.lastBody();
            Map<String, Double> neutral = kind == ServerKind.LLAMA_SERVER
                    ? Map.of("repeat_penalty", 1.0, "presence_penalty", 0.0, "frequency_penalty", 0.0, "dry_multiplier", 0.0,
                            "xtc_probability", 0.0, "typical_p", 1.0, "mirostat", 0.0, "top_n_sigma", -1.0, "dynatemp_range", 0.0)
                    : Map.of("repetition_penalty", 1.0, "presence_penalty", 0.0, "frequency_penalty", 0.0);
            neutral.forEach((field, value) -> assertEquals(value, sent.path(field).asDouble(Double.NaN), field + " in " + sent));
            assertTrue(sent.path("mirostat").isMissingNode() || sent.get("mirostat").isInt(), "llama-server reads mirostat as an int");
            assertEquals(kind == ServerKind.LLAMA_SERVER, sent.has("ignore_eos") && !sent.get("ignore_eos").asBoolean(true));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Api.class, names = {"COMPLETIONS", "CHAT"})
    void aVllmBefore011IsConstrainedByGuidedChoice(Api api) throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.VLLM).build("0.10.2");
             Backend backend = HttpTesting.config(ServerKind.VLLM, api, server).build().open()) {
            assertEquals("C", backend.choose("Question #6\nAnswer:", List.of("A", "B", "C", "D")).text());
            assertEquals("[\"A\",\"B\",\"C\",\"D\"]", server.lastBody().get("guided_choice").toString());
            assertFalse(server.lastBody().has("structured_outputs"));
        }
    }

    @ParameterizedTest
    @CsvSource({"0.10.1, true", "v0.9.1, true", "0.10, true", "0.10.2, true", "0.10.2.post1, true", "0.11.0rc1, false",
            "0.11, false", "0.11.1.dev5+gabc, false",
            "0.12.0+cu129, false", "1.0.0, false", "dev, false", "0.0.0+g2a3b, false", "0.1.dev12+g2a3b, false"})
    void vllmReleasesAreOrderedByTheirNumber(String build, boolean older) {
        assertEquals(older, ServerKind.olderThan(build, 0, 11), build);
    }

    @ParameterizedTest
    @MethodSource("apis")
    void readsTheTopKNextTokens(ServerKind kind, Api api) throws IOException {
        FakeInferenceServer server = SERVERS.get(kind);
        try (Backend backend = HttpTesting.config(kind, api, server).build().open()) {
            backend.requireCapabilities(Capability.TOP_K, Capability.CHOOSE, Capability.GENERATE, Capability.TOKEN_LOGPROBS);
            NextTokenDistribution d = backend.topK("Question #2\nAnswer:", 4);
            assertEquals(List.of("C", "D", "E", "F"), d.top().stream().map(TokenLogprob::token).toList());
            assertEquals(-1.0, d.logprob("C").orElseThrow());
            assertEquals(-4.0, d.logprob("F").orElseThrow());
            assertTrue(d.logprob("A").isEmpty());
            JsonNode sent = server.lastBody();
            switch (api) {
                case NATIVE -> assertEquals(4, sent.get("n_probs").asInt());
                case COMPLETIONS -> assertEquals(4, sent.get("logprobs").asInt());
                case CHAT -> assertEquals(4, sent.get("top_logprobs").asInt());
            }
            assertEquals(1, sent.get(api == Api.NATIVE ? "n_predict" : "max_tokens").asInt());
        }
    }

    @ParameterizedTest
    @MethodSource("apis")
    void tokensThatEndInsideACharacterAreKeptApartByTheirBytes(ServerKind kind, Api api) throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(kind);
             Backend backend = HttpTesting.config(kind, api, server).build().open()) {
            server.always(2, Fault.SPLIT_CHARACTERS);
            List<String> keys = backend.topK("Question #2\nAnswer:", 4).top().stream().map(TokenLogprob::token).toList();
            boolean legacyForm = api == Api.COMPLETIONS && kind != ServerKind.LLAMA_SERVER;
            assertEquals(legacyForm ? List.of("C", "D", "E", "F") : List.of("<0xE4><0xB8>", "<0xE4><0xB9>", "E", "F"), keys);
        }
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void alternativesLlamaServerWithholdsForAPieceOfACharacterAreAskedForUnderAGrammar(Api api) throws IOException {
        // llama-server v0.5.0, measured: a greedy token that is a character's lead byte comes back as U+FFFD with
        // no alternatives; under a one-ASCII-character grammar the list is the model's, the lead byte first
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.LLAMA_SERVER);
             Backend backend = HttpTesting.config(ServerKind.LLAMA_SERVER, api, server).build().open()) {
            server.always(2, Fault.WITHHELD_PIECE);
            List<String> keys = backend.topK("Question #2\nAnswer:", 4).top().stream().map(TokenLogprob::token).toList();
            assertEquals(List.of("<0xE4><0xB8>", "<0xE4><0xB9>", "E", "F"), keys);
            assertEquals(2, server.requests(2));
            assertEquals("root ::= [\\x01-\\x7F]", server.lastBody().path("grammar").asText());

            // a build that lists what its samplers leave would give the grammar's letters as the model's
            server.always(3, Fault.WITHHELD_PIECE_AFTER_GRAMMAR);
            BackendException e = assertThrows(BackendException.class, () -> backend.topK("Question #3\nAnswer:", 4));
            assertEquals(BackendException.Reason.REJECTED, e.reason());
            assertTrue(e.getMessage().contains("this build lists them after its grammar"), e.getMessage());
        }
    }

    @Test
    void aTokensBytesNameItOnlyWhereItsTextDoesNotSpellThem() {
        ArrayNode e4b8 = Transport.JSON.createArrayNode().add(0xE4).add(0xB8);
        assertEquals("<0xE4><0xB8>", Protocol.tokenKey("", e4b8));
        assertEquals("<0xE4><0xB8>", Protocol.tokenKey("\uFFFD", e4b8), "a replacement character is not the bytes");
        ArrayNode zhong = Transport.JSON.createArrayNode().add(0xE4).add(0xB8).add(0xAD);
        assertEquals("\u4E2D", Protocol.tokenKey("\u4E2D", zhong));
        assertEquals(" the", Protocol.tokenKey(" the", Transport.JSON.createArrayNode().add(32).add(116).add(104).add(101)));
        assertEquals("x", Protocol.tokenKey("x", null));
        assertEquals("x", Protocol.tokenKey("x", Transport.JSON.createArrayNode().add("not a byte")));
    }

    @ParameterizedTest
    @MethodSource("apis")
    void refusesAnEmptyListOfNextTokens(ServerKind kind, Api api) throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(kind);
             Backend backend = HttpTesting.config(kind, api, server).build().open()) {
            server.always(5, Fault.NO_ALTERNATIVES);
            BackendException e = assertThrows(BackendException.class, () -> backend.topK("Question #5\nAnswer:", 4));
            assertEquals(Reason.BAD_RESPONSE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("listed no alternatives"), e.getMessage());
            assertEquals(List.of("C", "D"), backend.topK("Question #2\nAnswer:", 2).top().stream()
                    .map(TokenLogprob::token).toList(), "other prompts are answered");
        }
    }

    @ParameterizedTest
    @MethodSource("apis")
    void recordsEachServersBuildAndModel(ServerKind kind, Api api) throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(kind).build("v0.9.1").models("deepseek-v3-q4")
                .context(8192);
             Backend backend = HttpTesting.config(kind, api, server).build().open()) {
            ServerInfo info = backend.serverInfo();
            assertEquals(kind.id(), info.backend());
            assertEquals("v0.9.1", info.build());
            assertEquals("deepseek-v3-q4", info.model());
            assertEquals(api.path(), info.details().get("api"));
            assertEquals(kind == ServerKind.LLAMA_SERVER ? "4" : null, info.details().get("total_slots"));
            // SGLang's scheduler keeps two tokens of max_model_len back (max_req_len - 1)
            assertEquals(kind == ServerKind.SGLANG ? 8190 : 8192, info.contextSize(),
                    "a llama-server slot's n_ctx, or max_model_len");
            assertTrue(backend.toString().contains("v0.9.1"));
            backend.generate("#1", GenerationParams.greedy(4));
            assertEquals("deepseek-v3-q4", server.lastBody().path("model").asText(null));
        }
    }
}
