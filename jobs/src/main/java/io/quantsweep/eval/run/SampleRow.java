package io.quantsweep.eval.run;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One sample of one item asked of one variant, as {@code OUT/samples/} stores it (the Parquet column
 * names are the snake_case of these names, see {@link SampleFiles}). The key is (variant, benchmark,
 * item id, sample).
 *
 * @param variant             the variant (a partition folder of the output)
 * @param benchmark           the benchmark (a partition folder of the output)
 * @param itemId              the item's id in its benchmark (for kld, the passage's)
 * @param sample              0-based sample index (for kld, the cut's)
 * @param subject             the item's subject, empty where the set has none
 * @param promptHash          SHA-256 of the prompt text sent, hex
 * @param templateId          {@code <template>+<chat format>}
 * @param response            what came back: generated text, the chosen answer (mc-grammar), or the most
 *                            probable next token (mc-logprob, kld)
 * @param predicted           the answer read from it (empty if none; kld: empty)
 * @param gold                the gold answer (kld: the passage's next word after the cut)
 * @param correct             whether predicted is right; null for kld
 * @param extractor           the id of the rule that read the answer ({@code kld} for kld)
 * @param letterProbabilities mc-logprob: per-letter probabilities, renormalised; else empty
 * @param topLogprobs         mc-logprob and kld: the next-token top-K list, token to log-probability; else empty
 * @param position            kld: where the passage is cut, in Java chars (UTF-16 units; cuts fall on
 *                            whitespace, never inside a character); else null
 * @param latencyMs           wall time of the call that succeeded, in milliseconds
 * @param tokens              generated tokens; null where the call does not count them (mc-grammar, mc-logprob, kld)
 * @param finishReason        why generation ended ({@code STOP}, {@code LENGTH}, {@code UNKNOWN}); null where nothing was generated freely
 * @param attempts            tries the call took, the successful one included
 * @param backend             engine ({@code embedded-llama.cpp}, {@code llama-server}, {@code vllm}, {@code sglang})
 * @param build               the engine's build (llama.cpp {@code v0.5.0-de3ff81} for embedded)
 * @param model               the model as the engine names it
 * @param serverDetails       further settings of the engine, and warnings such as {@code memory}
 * @param scoring             the scoring mode's id
 * @param seed                the sample's seed
 * @param temperature         sampling temperature
 * @param topP                nucleus mass
 * @param maxTokens           generation budget
 * @param stop                generation: where it was told to stop (the benchmark's {@code stop}); else empty
 * @param topK                mc-logprob and kld: next-token alternatives asked for (the benchmark's
 *                            {@code top-k}); else 0
 * @param sweep               the sweep's name
 * @param completedAtMillis   when the answer came, milliseconds since the epoch (UTC)
 */
public record SampleRow(String variant, String benchmark, String itemId, int sample, String subject,
        String promptHash, String templateId, String response, String predicted, String gold, Boolean correct,
        String extractor, Map<String, Double> letterProbabilities, Map<String, Double> topLogprobs, Integer position,
        double latencyMs, Integer tokens, String finishReason, int attempts, String backend, String build, String model,
        SortedMap<String, String> serverDetails, String scoring, long seed, double temperature, double topP,
        int maxTokens, List<String> stop, int topK, String sweep, long completedAtMillis) implements Serializable {
    public SampleRow {
        String[] names = {"variant", "benchmark", "itemId", "subject", "promptHash", "templateId", "response",
            "predicted", "gold", "extractor", "backend", "build", "model", "scoring", "sweep"};
        Object[] values = {variant, benchmark, itemId, subject, promptHash, templateId, response, predicted, gold,
            extractor, backend, build, model, scoring, sweep};
        for (int i = 0; i < names.length; i++) {
            Objects.requireNonNull(values[i], names[i]);
        }
        letterProbabilities = Collections.unmodifiableMap(new LinkedHashMap<>(letterProbabilities));
        topLogprobs = Collections.unmodifiableMap(new LinkedHashMap<>(topLogprobs));
        serverDetails = Collections.unmodifiableSortedMap(new TreeMap<>(serverDetails));
        stop = List.copyOf(stop);
    }

    /** The key of this row. */
    SampleKey key() {
        return new SampleKey(benchmark, itemId, sample);
    }
}
