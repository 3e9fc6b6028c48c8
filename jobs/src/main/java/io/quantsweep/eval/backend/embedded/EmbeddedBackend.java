package io.quantsweep.eval.backend.embedded;

import io.quantsweep.eval.backend.Backend;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.BackendException.Reason;
import io.quantsweep.eval.backend.Capabilities;
import io.quantsweep.eval.backend.Choice;
import io.quantsweep.eval.backend.Choices;
import io.quantsweep.eval.backend.Completion;
import io.quantsweep.eval.backend.FinishReason;
import io.quantsweep.eval.backend.GenerationParams;
import io.quantsweep.eval.backend.NextTokenDistribution;
import io.quantsweep.eval.backend.ServerInfo;
import io.quantsweep.eval.backend.TokenLogprob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Backend} over a model that {@link EmbeddedEngine} keeps loaded in this JVM, answering as
 * llama-server's native {@code /completion} answers: the same tokenization (BOS added, special tokens
 * parsed), the same sampler chain, tokens counted as {@code tokens_predicted} counts them (an
 * end-of-generation token included), stop strings matched on the answer's bytes and cut off, an
 * answer that meets the context's end cut there as {@link FinishReason#LENGTH}, and log-probabilities
 * from the softmax of the raw logits, each token known by {@link TokenLogprob#key}. One difference: the
 * generated tokens' log-probabilities come one per token, where llama-server lists the pieces of one
 * UTF-8 character as one entry, holds back text that may begin a stop string, and leaves the stop
 * string's tokens off the end.
 */
final class EmbeddedBackend implements Backend {
    private final EmbeddedEngine.Loaded loaded;

    EmbeddedBackend(EmbeddedEngine.Loaded loaded) {
        this.loaded = loaded;
    }

    @Override
    public Capabilities capabilities() {
        return EmbeddedConfig.CAPABILITIES;
    }

    @Override
    public ServerInfo serverInfo() {
        return loaded.info();
    }

    @Override
    public Completion generate(String prompt, GenerationParams params) throws BackendException {
        return complete(prompt, params.maxTokens(), 1, slot -> slot.sampler((float) params.temperature(), params.topK(),
                (float) params.topP(), (float) params.minP(), params.seed(), null), stopBytes(params.stop()), params.tokenLogprobs());
    }

    @Override
    public Choice choose(String prompt, List<String> choices) throws BackendException {
        List<String> allowed = Choices.check(choices);
        int budget = Choices.tokenBudget(allowed);
        Completion answer = complete(prompt, budget, budget, slot -> slot.sampler(0, 0, 1, 0, 0, Choices.gbnf(allowed)),
                List.of(), false);
        return Choices.match(allowed, answer, budget, serverInfo().describe());
    }

    @Override
    public NextTokenDistribution topK(String prompt, int k) throws BackendException {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, not " + k);
        }
        long start = System.nanoTime();
        List<TokenLogprob> top;
        lock();
        try {
            begin(prompt, 1, 1);
            float[] logits = slot().logits();
            double logSum = logSumExp(logits);
            top = new ArrayList<>();
            for (int token : mostProbable(logits, k)) {
                top.add(new TokenLogprob(TokenLogprob.key(slot().piece(token)), Math.min(0, logits[token] - logSum)));
            }
        } finally {
            EmbeddedEngine.INFERENCE.unlock();
        }
        return new NextTokenDistribution(top, Duration.ofNanos(System.nanoTime() - start), 1);
    }

    /** Leaves the model loaded: see {@link EmbeddedEngine}. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "EmbeddedBackend[" + serverInfo().describe() + "]";
    }

    private LlamaSlot slot() {
        return loaded.slot();
    }

    /** Takes {@link EmbeddedEngine#INFERENCE} and points llama.cpp's log where this variant wants it. */
    private void lock() {
        EmbeddedEngine.INFERENCE.lock();
        LlamaNative.setLog(loaded.config().nativeLog() == EmbeddedConfig.NativeLog.STDERR);
    }

    /**
     * Tokenizes and evaluates {@code prompt}, leaving the logits of its next token, once {@link #tokenBudget}
     * allowed it an answer of {@code wanted} tokens; that budget.
     */
    private int begin(String prompt, int wanted, int least) throws BackendException {
        int[] tokens = slot().tokenize(prompt);
        int budget = tokenBudget(tokens.length, wanted, least);
        slot().prompt(tokens, loaded.config().cachePrompt());
        return budget;
    }

    /** Makes a sampler chain for one answer, on the slot's model; see {@link LlamaSlot#sampler}. */
    private interface SamplerChain {
        long make(LlamaSlot slot) throws BackendException;
    }

    /**
     * An answer of up to {@code wanted} tokens, drawn by the sampler {@code chain} makes, to a prompt that must
     * leave room for at least {@code least} (see {@link #tokenBudget}).
     */
    private Completion complete(String prompt, int wanted, int least, SamplerChain chain, List<byte[]> stops,
            boolean logprobs) throws BackendException {
        long start = System.nanoTime();
        Answer answer;
        lock();
        try {
            int budget = begin(prompt, wanted, least);
            long sampler = chain.make(slot());
            try {
                answer = answer(sampler, budget, stops, logprobs);
            } finally {
                LlamaSlot.free(sampler);
            }
        } finally {
            EmbeddedEngine.INFERENCE.unlock();
        }
        return new Completion(answer.text(), answer.tokens(), answer.finish(), Duration.ofNanos(System.nanoTime() - start),
                answer.logprobs(), 1);
    }

    /** An answer's text, tokens, why it ended and, where asked, each token's log-probability. */
    private record Answer(String text, int tokens, FinishReason finish, List<TokenLogprob> logprobs) {
    }

    /**
     * Samples up to {@code budget} tokens after the evaluated prompt: to an end-of-generation token (STOP,
     * counted, no text), a stop string (STOP, the text cut before it) or the budget (LENGTH).
     */
    private Answer answer(long sampler, int budget, List<byte[]> stops, boolean logprobs) throws BackendException {
        byte[] text = new byte[256];
        int length = 0;
        List<TokenLogprob> probabilities = new ArrayList<>();
        int longestStop = stops.stream().mapToInt(s -> s.length).max().orElse(0);
        for (int n = 1; n <= budget; n++) {
            float[] logits = logprobs ? slot().logits() : null;
            int token = slot().sample(sampler);
            byte[] piece = slot().piece(token);
            if (logprobs) {
                probabilities.add(new TokenLogprob(TokenLogprob.key(piece), Math.min(0, logits[token] - logSumExp(logits))));
            }
            if (slot().endsGeneration(token)) {
                return new Answer(utf8(text, length), n, FinishReason.STOP, probabilities);
            }
            if (length + piece.length > text.length) {
                text = Arrays.copyOf(text, Math.max(length + piece.length, 2 * text.length));
            }
            System.arraycopy(piece, 0, text, length, piece.length);
            // a stop string that ends in this piece starts at most longestStop - 1 bytes before it
            int cut = firstStop(text, length + piece.length, Math.max(0, length - longestStop + 1), stops);
            length += piece.length;
            if (cut >= 0) {
                return new Answer(utf8(text, cut), n, FinishReason.STOP, probabilities);
            }
            if (n < budget) {
                slot().accept(token);
            }
        }
        return new Answer(utf8(text, length), budget, FinishReason.LENGTH, probabilities);
    }

    /**
     * Where the earliest of {@code stops} begins in the first {@code length} bytes of {@code text}, at or
     * after {@code from}; -1 if none does.
     */
    static int firstStop(byte[] text, int length, int from, List<byte[]> stops) {
        for (int i = from; i < length; i++) {
            for (byte[] stop : stops) {
                if (i + stop.length <= length && Arrays.equals(text, i, i + stop.length, stop, 0, stop.length)) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static List<byte[]> stopBytes(List<String> stops) {
        return stops.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** The first {@code length} bytes as text; a character cut off at the end reads as U+FFFD, as llama-server sends it. */
    private static String utf8(byte[] bytes, int length) {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /** log Σ exp(logit), computed from the largest logit so that nothing overflows. */
    static double logSumExp(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return max + Math.log(sum);
    }

    /** The {@code k} tokens of the largest logits, largest first; ties go to the lower token id. */
    static int[] mostProbable(float[] logits, int k) {
        Comparator<Integer> order = Comparator.<Integer>comparingDouble(t -> logits[t]).thenComparing(t -> -t);
        PriorityQueue<Integer> kept = new PriorityQueue<>(order);
        for (int t = 0; t < logits.length; t++) {
            kept.add(t);
            if (kept.size() > k) {
                kept.poll();
            }
        }
        int[] top = new int[kept.size()];
        for (int i = top.length - 1; i >= 0; i--) {
            top[i] = kept.poll();
        }
        return top;
    }

    /**
     * The tokens a prompt of {@code promptTokens} leaves for an answer of at most {@code wanted}: the context
     * holds the prompt and the answer, and llama-server ends a reply at the context's end (finish reason
     * length). A prompt that leaves fewer than {@code least} is refused, as llama-server refuses one that
     * does not fit.
     */
    private int tokenBudget(int promptTokens, int wanted, int least) throws BackendException {
        int room = slot().size() - promptTokens;
        if (room < least) {
            throw new BackendException(Reason.REJECTED, ("the prompt (%d tokens) leaves %d tokens for an answer, which "
                    + "needs at least %d, in the context of %d tokens of %s; give the variant a larger context-size (0 "
                    + "takes the model's own)").formatted(promptTokens, Math.max(0, room), least, slot().size(),
                    serverInfo().describe()));
        }
        return Math.min(wanted, room);
    }
}
