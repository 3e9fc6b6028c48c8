package io.quantsweep.eval.backend.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.BackendException.Reason;
import io.quantsweep.eval.backend.Completion;
import io.quantsweep.eval.backend.FinishReason;
import io.quantsweep.eval.backend.GenerationParams;
import io.quantsweep.eval.backend.NextTokenDistribution;
import io.quantsweep.eval.backend.TokenLogprob;
import io.quantsweep.eval.prompt.Reasoning;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Request bodies and answer fields of the three APIs.
 *
 * <p>Requests: native {@code /completion} takes {@code model} (which a llama-server in router mode
 * needs), {@code prompt}, {@code n_predict}, {@code n_probs}, {@code cache_prompt}; {@code /v1/completions}
 * takes {@code model}, {@code prompt}, {@code max_tokens}, {@code logprobs: N}; {@code /v1/chat/completions}
 * takes {@code messages}, {@code logprobs: true} and {@code top_logprobs: N}. All get temperature, top_p,
 * top_k, min_p and seed explicitly (top_k and min_p are extensions that llama-server, vLLM and SGLang
 * accept), and every other sampler a server may have been set up with turned off
 * ({@link ServerKind#neutralSamplers}).
 *
 * <p>Answers: native has {@code content}, {@code tokens_predicted}, {@code stop_type}
 * (eos|word|limit), {@code truncated} and {@code completion_probabilities[]} of
 * {@code {token, logprob, top_logprobs[]}};
 * the OpenAI APIs have {@code choices[0].text} or {@code choices[0].message.content},
 * {@code finish_reason}, {@code usage.completion_tokens} and {@code choices[0].logprobs}, which is
 * either {@code {content: [{token, logprob, top_logprobs[]}]}} (chat; llama-server everywhere) or the
 * legacy completions form {@code {tokens[], token_logprobs[], top_logprobs: [{token: logprob}]}}
 * (vLLM, SGLang).
 */
final class Protocol {
    private Protocol() {
    }

    /** The fields every request of {@code api} starts with. */
    private static ObjectNode base(HttpConfig config, String model, String prompt, int maxTokens) {
        ObjectNode body = Transport.JSON.createObjectNode();
        switch (config.api()) {
            // one llama-server ignores the model; in router mode it picks the model, without it the request is refused
            case NATIVE -> body.put("model", model).put("prompt", prompt).put("n_predict", maxTokens);
            case COMPLETIONS -> body.put("model", model).put("prompt", prompt).put("max_tokens", maxTokens);
            case CHAT -> {
                body.put("model", model);
                body.putArray("messages").addObject().put("role", "user").put("content", prompt);
                body.put("max_tokens", maxTokens);
            }
        }
        body.put("stream", false);
        if (config.server() == ServerKind.LLAMA_SERVER) {
            body.put("cache_prompt", config.cachePrompt());
        }
        return body;
    }

    private static ObjectNode sampling(ObjectNode body, HttpConfig config, double temperature, double topP, int topK,
                                       double minP, int seed) {
        config.server().neutralSamplers(body);
        return body.put("temperature", temperature)
                .put("top_p", topP)
                .put("top_k", topK > 0 ? topK : config.server().topKOff())
                .put("min_p", minP)
                .put("seed", seed);
    }

    /** Asks for the top {@code n} alternatives of each generated token. */
    private static void logprobs(ObjectNode body, Api api, int n) {
        switch (api) {
            case NATIVE -> body.put("n_probs", n);
            case COMPLETIONS -> body.put("logprobs", n);
            case CHAT -> body.put("logprobs", true).put("top_logprobs", n);
        }
    }

    static ObjectNode generate(HttpConfig config, String model, String prompt, GenerationParams p) {
        ObjectNode body = sampling(base(config, model, prompt, p.maxTokens()), config,
                p.temperature(), p.topP(), p.topK(), p.minP(), p.seed());
        if (!p.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            p.stop().forEach(stop::add);
        }
        if (p.tokenLogprobs()) {
            logprobs(body, config.api(), 1);
        }
        return body;
    }

    /** A greedy request that the server (of version {@code build}) must answer with one of {@code choices}. */
    static ObjectNode choose(HttpConfig config, String model, String build, String prompt, List<String> choices,
                             int maxTokens) {
        ObjectNode body = sampling(base(config, model, prompt, maxTokens), config, 0, 1, 0, 0, 0);
        config.server().constrain(body, choices, build);
        return body;
    }

    static ObjectNode topK(HttpConfig config, String model, String prompt, int k) {
        ObjectNode body = sampling(base(config, model, prompt, 1), config, 0, 1, 0, 0, 0);
        logprobs(body, config.api(), k);
        return body;
    }

    /**
     * {@link #topK} with the sampled token held to one character below U+0080 by a llama-server grammar.
     * llama-server keeps a token's probabilities only once the text generated so far ends on a whole
     * UTF-8 character, so a greedy request whose most probable token is a piece of one (a lead byte of
     * a CJK character, say) comes back with that text cut to U+FFFD and no alternatives at all. Under the
     * grammar the sampled token is whole, and the alternatives it lists are still the model's own, taken
     * from the logits before any sampler: the withheld piece first ({@link #firstEndsInsideACharacter}).
     */
    static ObjectNode topKOfAWholeCharacter(HttpConfig config, String model, String prompt, int k) {
        return topK(config, model, prompt, k).put("grammar", "root ::= [\\x01-\\x7F]");
    }

    /** Whether a llama-server answer to {@link #topK} withheld its alternatives: its one token ended inside a character. */
    static boolean withheldAlternatives(Api api, JsonNode answer, String source) throws BackendException {
        JsonNode alternatives = tokenAlternatives(api, answer);
        return (alternatives.isMissingNode() || alternatives.isNull() || alternatives.isEmpty())
                && text(api, answer, source).endsWith("\uFFFD");
    }

    /** Whether the first alternative listed is a token that ends inside a UTF-8 character (its bytes do not decode). */
    static boolean firstEndsInsideACharacter(Api api, JsonNode answer) {
        JsonNode first = tokenAlternatives(api, answer).path(0).path("top_logprobs").path(0);
        byte[] b = bytesOf(first.get("bytes"));
        return b != null && b.length > 0 && TokenLogprob.wholeCharacters(b) == null;
    }

    /** llama-server's list of each generated token with its alternatives, on any API; missing where it gave none. */
    private static JsonNode tokenAlternatives(Api api, JsonNode answer) {
        return api == Api.NATIVE ? answer.path("completion_probabilities")
                : answer.path("choices").path(0).path("logprobs").path("content");
    }

    /** The generated text. */
    static String text(Api api, JsonNode answer, String source) throws BackendException {
        return switch (api) {
            case NATIVE -> required(answer, source, "content").asText();
            case COMPLETIONS -> required(firstChoice(answer, source), source, "text").asText();
            case CHAT -> {
                JsonNode content = required(required(firstChoice(answer, source), source, "message"), source, "content");
                // a reasoning server may answer null content when the whole budget went to reasoning_content
                yield content.isNull() ? "" : content.asText();
            }
        };
    }

    /** Why the answer ended. */
    static FinishReason finishReason(Api api, JsonNode answer, String source) throws BackendException {
        if (api == Api.NATIVE) {
            return switch (required(answer, source, "stop_type").asText()) {
                case "eos", "word" -> FinishReason.STOP;
                // a stop string met at the slot's last position: the server says limit (its context-end check
                // comes after the stop-string check), but names the stop string, and the text ends before it
                case "limit" -> answer.path("stopping_word").asText("").isEmpty() ? FinishReason.LENGTH : FinishReason.STOP;
                default -> FinishReason.UNKNOWN;
            };
        }
        return switch (firstChoice(answer, source).path("finish_reason").asText("")) {
            case "stop" -> FinishReason.STOP;
            case "length" -> FinishReason.LENGTH;
            default -> FinishReason.UNKNOWN;
        };
    }

    /** The tokens the answer generated, as the server counts them. */
    static int generatedTokens(Api api, JsonNode answer, String source) throws BackendException {
        return api == Api.NATIVE ? required(answer, source, "tokens_predicted").asInt()
                : required(required(answer, source, "usage"), source, "completion_tokens").asInt();
    }

    static Completion completion(Api api, Transport.Answer a, String source) throws BackendException {
        JsonNode answer = a.json();
        String text = api == Api.CHAT ? withReasoning(firstChoice(answer, source), text(api, answer, source))
                : text(api, answer, source);
        FinishReason finish = finishReason(api, answer, source);
        int tokens = generatedTokens(api, answer, source);
        if (api == Api.NATIVE) {
            JsonNode probs = answer.path("completion_probabilities");
            return new Completion(text, tokens, finish, a.latency(), probs.isArray() ? tokens(probs, source) : List.of(),
                    a.attempts());
        }
        JsonNode choice = firstChoice(answer, source);
        JsonNode logprobs = choice.path("logprobs");
        List<TokenLogprob> perToken = List.of();
        if (logprobs.path("content").isArray()) {
            perToken = tokens(logprobs.get("content"), source);
        } else if (logprobs.path("tokens").isArray()) {
            perToken = legacyTokens(logprobs, source);
        }
        return new Completion(text, tokens, finish, a.latency(), perToken, a.attempts());
    }

    /**
     * A chat reply as the model wrote it. A reasoning parser (vLLM's and SGLang's {@code --reasoning-parser},
     * llama-server's default {@code --reasoning-format}) moves the thinking out of {@code content} into
     * {@code reasoning_content} (newer vLLM: {@code reasoning}); it goes back in front, in R1's tags, so
     * that the sample keeps it and the answer is read after it, as on the other APIs. A budget spent on
     * thinking (content null, or empty as llama-server sends it, with the reply cut at its length) leaves
     * the thinking open, which scores as no answer.
     */
    private static String withReasoning(JsonNode choice, String content) {
        JsonNode message = choice.path("message");
        String reasoning = reasoning(message);
        if (reasoning.isEmpty()) {
            return content;
        }
        boolean cutWhileThinking = message.path("content").isNull()
                || content.isEmpty() && choice.path("finish_reason").asText("").equals("length");
        return Reasoning.OPEN + reasoning + (cutWhileThinking ? "" : Reasoning.CLOSE + content);
    }

    /** The thinking a reasoning parser took out of a chat message: {@code reasoning_content}, or newer vLLM's {@code reasoning}. */
    private static String reasoning(JsonNode message) {
        return message.path("reasoning_content").asText(message.path("reasoning").asText(""));
    }

    /**
     * Refuses a chat reply that is all thinking, where the answer's first token was asked for (a grammar's
     * choice, the next-token alternatives). A chat template that opens a thinking block in its generation
     * prompt (DeepSeek-R1's ends in {@code <think>}) makes the server's reasoning parser (llama-server
     * v0.5.0, measured) take everything the model writes before {@code </think>} as reasoning: the
     * grammar then constrains the reasoning's start, and the first token's alternatives are the reasoning's,
     * with {@code content} empty. Scored, either would read thinking as the answer.
     */
    static void requireAnswerOutsideThinking(Api api, JsonNode answer, String source, String what)
            throws BackendException {
        if (api != Api.CHAT) {
            return;
        }
        JsonNode message = firstChoice(answer, source).path("message");
        String reasoning = reasoning(message);
        JsonNode content = message.path("content");
        if (!reasoning.isEmpty() && (content.isNull() || content.isMissingNode() || content.asText().isEmpty())) {
            throw new BackendException(Reason.REJECTED, ("%s: the reply is all thinking (reasoning %s, no "
                    + "content): the server's chat template opens a thinking block, so %s would be read from the "
                    + "reasoning, not from an answer; ask this benchmark without chat markup, through llama-server's "
                    + "native API or openai-completions, or serve a chat template that does not open thinking")
                    .formatted(source, abbreviate(reasoning), what));
        }
    }

    private static String abbreviate(String text) {
        // as a JSON string: one line, whatever the reasoning holds
        return Transport.JSON.getNodeFactory().textNode(text.length() <= 40 ? text : text.substring(0, 40) + "...").toString();
    }

    static NextTokenDistribution distribution(Api api, Transport.Answer a, String source) throws BackendException {
        JsonNode answer = a.json();
        requireAnswerOutsideThinking(api, answer, source, "the next token's alternatives");
        List<TokenLogprob> top = switch (api) {
            case NATIVE -> tokens(required(element(required(answer, source, "completion_probabilities"), 0, source,
                    "completion_probabilities"), source, "top_logprobs"), source);
            case COMPLETIONS, CHAT -> {
                JsonNode logprobs = required(firstChoice(answer, source), source, "logprobs");
                if (logprobs.path("content").isArray()) {
                    yield tokens(required(element(logprobs.get("content"), 0, source, "logprobs.content"), source,
                            "top_logprobs"), source);
                }
                yield legacyTop(element(required(logprobs, source, "top_logprobs"), 0, source, "logprobs.top_logprobs"), source);
            }
        };
        if (top.isEmpty()) {
            // nothing to score or compare: a kld mean without this position would be silently biased
            throw bad(source, "the next-token list is empty: the server listed no alternatives");
        }
        return new NextTokenDistribution(top, a.latency(), a.attempts());
    }

    /**
     * Refuses a native answer that did not see the whole prompt. llama-server marks an answer
     * {@code truncated} when the request met the end of its slot's context ({@code slotContext} tokens, 0
     * where unknown). Builds since May 2025 without context shift (their default since August 2025) then
     * stop, with prompt and answer filling the slot exactly: an answer cut at its length, scored as such.
     * The answer's last token can also end it there: an end of generation (a grammar's last letter, then
     * EOS) keeps {@code truncated} with {@code stop_type: eos}, and a stop string keeps {@code limit} with
     * its {@code stopping_word}; those filled the slot too and saw the whole prompt.
     * Otherwise the server dropped the start of the prompt, cutting it before answering or shifting the
     * context while answering (and then went on past the slot's end), and counts only what it kept; no
     * sample is made of that.
     */
    static void requireWholePrompt(JsonNode answer, String source, int slotContext) throws BackendException {
        if (!answer.path("truncated").asBoolean(false)) {
            return;
        }
        long prompt = answer.path("tokens_evaluated").asLong(0);
        long generated = answer.path("tokens_predicted").asLong(0);
        boolean stoppedAtTheEnd = List.of("limit", "eos", "word").contains(answer.path("stop_type").asText(""))
                && slotContext > 0 && prompt + generated == slotContext;
        if (!stoppedAtTheEnd) {
            throw new BackendException(Reason.REJECTED, ("%s: llama-server dropped the start of the prompt to fit its "
                    + "slot's context (%s tokens; it kept %d prompt tokens and generated %d); give each slot room for "
                    + "prompt and answer (--ctx-size is shared by --parallel slots) and start it with --no-context-shift")
                    .formatted(source, slotContext > 0 ? String.valueOf(slotContext) : "?", prompt, generated));
        }
    }

    /** The legacy completions form of one position's alternatives: an object from token text to log-probability. */
    private static List<TokenLogprob> legacyTop(JsonNode object, String source) throws BackendException {
        if (!object.isObject()) {
            throw bad(source, "logprobs.top_logprobs[0] is not an object: " + object);
        }
        List<TokenLogprob> top = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            top.add(logprob(e.getKey(), e.getValue(), source));
        }
        return top;
    }

    private static List<TokenLogprob> tokens(JsonNode array, String source) throws BackendException {
        if (!array.isArray()) {
            throw bad(source, "a token list that is not an array: " + array);
        }
        List<TokenLogprob> out = new ArrayList<>(array.size());
        for (JsonNode t : array) {
            out.add(logprob(tokenKey(required(t, source, "token").asText(), t.get("bytes")), required(t, source, "logprob"),
                    source));
        }
        return out;
    }

    /**
     * What a listed token is known by: its text, unless the server also sends the token's bytes and the
     * text does not spell them. llama-server cuts a token that ends inside a UTF-8 character to its
     * valid part, often {@code ""}, so two such tokens would count as one; they are known by their bytes
     * instead, written as the tokenizer writes byte tokens ({@code <0xE4><0xB8>}).
     */
    static String tokenKey(String text, JsonNode bytes) {
        byte[] b = bytesOf(bytes);
        if (b == null || text.equals(TokenLogprob.wholeCharacters(b))) {
            return text;
        }
        return TokenLogprob.byteKey(b);
    }

    /** A token's {@code bytes} field as bytes, or null where it is not a list of bytes. */
    private static byte[] bytesOf(JsonNode bytes) {
        if (bytes == null || !bytes.isArray()) {
            return null;
        }
        byte[] b = new byte[bytes.size()];
        for (int i = 0; i < b.length; i++) {
            int v = bytes.get(i).asInt(-1);
            if (!bytes.get(i).isIntegralNumber() || v < 0 || v > 255) {
                return null;
            }
            b[i] = (byte) v;
        }
        return b;
    }

    private static List<TokenLogprob> legacyTokens(JsonNode logprobs, String source) throws BackendException {
        JsonNode tokens = logprobs.get("tokens");
        JsonNode values = required(logprobs, source, "token_logprobs");
        if (!values.isArray() || values.size() != tokens.size()) {
            throw bad(source, "logprobs.tokens and logprobs.token_logprobs of different lengths");
        }
        List<TokenLogprob> out = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            out.add(logprob(tokens.get(i).asText(), values.get(i), source));
        }
        return out;
    }

    private static TokenLogprob logprob(String token, JsonNode value, String source) throws BackendException {
        if (!value.isNumber() || value.asDouble() > 0) {
            throw bad(source, "log-probability of '%s' is %s, not a number <= 0".formatted(token, value));
        }
        return new TokenLogprob(token, value.asDouble());
    }

    private static JsonNode firstChoice(JsonNode answer, String source) throws BackendException {
        return element(required(answer, source, "choices"), 0, source, "choices");
    }

    private static JsonNode element(JsonNode array, int i, String source, String name) throws BackendException {
        if (!array.isArray() || array.size() <= i) {
            throw bad(source, "'%s' has no element %d".formatted(name, i));
        }
        return array.get(i);
    }

    private static JsonNode required(JsonNode node, String source, String field) throws BackendException {
        JsonNode v = node.get(field);
        if (v == null) {
            throw bad(source, "the answer lacks '%s' (has %s)".formatted(field, fieldNames(node)));
        }
        return v;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static BackendException bad(String source, String detail) {
        return new BackendException(Reason.BAD_RESPONSE, source + ": " + detail);
    }
}
