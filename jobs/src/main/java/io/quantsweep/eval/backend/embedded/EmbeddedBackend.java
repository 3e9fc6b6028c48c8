package io.quantsweep.eval.backend.embedded;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import io.quantsweep.eval.backend.Backend;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.BackendException.Reason;
import io.quantsweep.eval.backend.Capabilities;
import io.quantsweep.eval.backend.Capability;
import io.quantsweep.eval.backend.Choice;
import io.quantsweep.eval.backend.Choices;
import io.quantsweep.eval.backend.Completion;
import io.quantsweep.eval.backend.FinishReason;
import io.quantsweep.eval.backend.GenerationParams;
import io.quantsweep.eval.backend.NextTokenDistribution;
import io.quantsweep.eval.backend.ServerInfo;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A {@link Backend} over a model that {@link EmbeddedEngine} keeps loaded in this JVM.
 *
 * <p>The binding returns text only: no token ids, no stop type, and never {@code n_probs} (setting it
 * aborts the JVM in the binding's JSON code). So {@link #generate} streams and counts the pieces,
 * one per generated token, and calls it {@link FinishReason#LENGTH} when that count reaches the
 * budget: the max-tokens asked for, or less where the context ends first. The count is exact
 * unless the model spelled a UTF-8 character over several tokens: llama.cpp holds such pieces back
 * and sends them as one (and drops them if generation ends inside the character), so the count is
 * then low and a cut-off answer may read as STOP.
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
        if (params.tokenLogprobs()) {
            throw capabilities().refusal(serverInfo().describe(), Set.of(Capability.TOKEN_LOGPROBS));
        }
        long start = System.nanoTime();
        StringBuilder text = new StringBuilder();
        int results = 0;
        int budget;
        EmbeddedEngine.INFERENCE.lock();
        try {
            budget = tokenBudget(prompt, params.maxTokens(), 1);
            InferenceParameters p = request(prompt, budget)
                    .setTemperature((float) params.temperature())
                    .setTopP((float) params.topP())
                    .setTopK(params.topK())
                    .setMinP((float) params.minP())
                    .setSeed(params.seed());
            if (!params.stop().isEmpty()) {
                p.setStopStrings(params.stop().toArray(String[]::new));
            }
            LlamaIterator it = model().generate(p).iterator();
            try {
                while (it.hasNext()) {
                    LlamaOutput out = it.next();
                    text.append(out.text);
                    results++;
                }
            } catch (RuntimeException e) {
                it.cancel();
                throw failure("generate", e);
            }
        } finally {
            EmbeddedEngine.INFERENCE.unlock();
        }
        Duration latency = Duration.ofNanos(System.nanoTime() - start);
        // the last result is the final one, which carries no text in streaming mode
        int tokens = Math.max(0, results - 1);
        FinishReason finish = tokens >= budget ? FinishReason.LENGTH : FinishReason.STOP;
        return new Completion(text.toString(), tokens, finish, latency, List.of(), 1);
    }

    @Override
    public Choice choose(String prompt, List<String> choices) throws BackendException {
        List<String> allowed = Choices.check(choices);
        long start = System.nanoTime();
        String answer;
        EmbeddedEngine.INFERENCE.lock();
        try {
            int budget = Choices.tokenBudget(allowed);
            answer = model().complete(request(prompt, tokenBudget(prompt, budget, budget))
                    .setTemperature(0f)
                    .setSeed(0)
                    .setGrammar(Choices.gbnf(allowed)));
        } catch (RuntimeException e) {
            throw failure("choose", e);
        } finally {
            EmbeddedEngine.INFERENCE.unlock();
        }
        return Choices.match(allowed, answer, Duration.ofNanos(System.nanoTime() - start), 1, serverInfo().describe());
    }

    @Override
    public NextTokenDistribution topK(String prompt, int k) throws BackendException {
        throw capabilities().refusal(serverInfo().describe(), Set.of(Capability.TOP_K));
    }

    /** Leaves the model loaded: see {@link EmbeddedEngine}. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "EmbeddedBackend[" + serverInfo().describe() + "]";
    }

    private LlamaModel model() {
        return loaded.model();
    }

    /**
     * The tokens {@code prompt} leaves for an answer of at most {@code wanted}: the context holds the prompt,
     * the tokens llama.cpp adds to it (BOS) and the answer, and a server ends a reply at the context's end
     * (finish reason length). A prompt that leaves fewer than {@code least} is refused, as llama-server
     * refuses one that does not fit, rather than cut as the binding's context shift would cut it.
     */
    private int tokenBudget(String prompt, int wanted, int least) throws BackendException {
        int promptTokens = model().encode(prompt).length + loaded.addedTokens();
        int room = loaded.context() - promptTokens;
        if (room < least) {
            throw new BackendException(Reason.REJECTED, ("the prompt (%d tokens) leaves %d tokens for an answer, which "
                    + "needs at least %d, in the context of %d tokens of %s; give the variant a larger context-size (0 "
                    + "takes the model's own)").formatted(promptTokens, Math.max(0, room), least, loaded.context(),
                    serverInfo().describe()));
        }
        return Math.min(wanted, room);
    }

    private InferenceParameters request(String prompt, int maxTokens) {
        return new InferenceParameters(prompt).setNPredict(maxTokens).setCachePrompt(loaded.config().cachePrompt());
    }

    private BackendException failure(String call, RuntimeException e) {
        return new BackendException(Reason.ENGINE_FAILURE,
                "%s failed in %s: %s".formatted(call, serverInfo().describe(), e.getMessage()), e);
    }
}
