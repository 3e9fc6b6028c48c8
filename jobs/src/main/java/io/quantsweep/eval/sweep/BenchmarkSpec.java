package io.quantsweep.eval.sweep;

import io.quantsweep.eval.bench.JsonlFields;
import io.quantsweep.eval.bench.LoaderKind;
import io.quantsweep.eval.bench.StableHash;
import io.quantsweep.eval.prompt.ChatFormat;
import io.quantsweep.eval.prompt.PromptTemplate;
import io.quantsweep.eval.prompt.ShotSelection;
import io.quantsweep.eval.score.ScoringMode;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One benchmark of a sweep: where its items come from, how prompts are built, how outputs are scored
 * and how samples are drawn.
 *
 * @param name          unique in the sweep (also the key for the paper's weights, e.g. {@code mmlu})
 * @param loader        which loader reads {@code path}
 * @param path          the benchmark's folder, as written in the sweep file (the job resolves it)
 * @param split         the evaluated split
 * @param shotsSplit    the split exemplars come from (unused when {@code shots} is 0)
 * @param shots         exemplars per prompt
 * @param shotSelection how exemplars are drawn
 * @param template      the prompt template
 * @param chat          the chat markup of raw prompts
 * @param scoring       the scoring mode
 * @param samples       samples per item k (pass@1 averages over them)
 * @param maxTokens     most tokens generated per sample
 * @param temperature   sampling temperature (0 = greedy)
 * @param topP          nucleus sampling mass, in (0, 1]
 * @param seed          base seed for the limit's subset and for sampling
 * @param shotSeed      seed of the exemplar draws ({@code seeded}, {@code lm-eval})
 * @param limit         items evaluated at most (a deterministic seeded subset); 0 = all
 * @param stop          stop strings for generation
 * @param weight        weight in the weighted average; 0 = left out
 * @param fields        the JSON field names for the generic JSONL loaders
 * @param topK          next-token alternatives asked for ({@code mc-logprob}, {@code kld})
 * @param positions     {@code kld}: positions compared per passage (its samples)
 */
public record BenchmarkSpec(String name, LoaderKind loader, String path, String split, String shotsSplit, int shots,
        ShotSelection shotSelection, PromptTemplate template, ChatFormat chat, ScoringMode scoring, int samples,
        int maxTokens, double temperature, double topP, long seed, long shotSeed, int limit, List<String> stop, double weight,
        JsonlFields fields, int topK, int positions) implements Serializable {
    public BenchmarkSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(loader, "loader");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(shotsSplit, "shotsSplit");
        Objects.requireNonNull(shotSelection, "shotSelection");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(chat, "chat");
        Objects.requireNonNull(scoring, "scoring");
        stop = List.copyOf(stop);
        Objects.requireNonNull(fields, "fields");
        if (topK < 1 || positions < 1) {
            throw new IllegalArgumentException("topK and positions must be 1 or more, got " + topK + " and " + positions);
        }
    }

    /**
     * The seed of sample {@code sample} of an item: the same for every variant, different for every
     * item and sample, derived from {@link #seed} by {@link StableHash}; in [0, 2^31) so that every
     * backend takes it (llama.cpp seeds are unsigned 32-bit, -1 meaning random).
     */
    public long sampleSeed(String itemId, int sample) {
        return StableHash.of(seed, itemId + "#" + sample) >>> 33;
    }

    /** The stop strings its requests carry: the sweep's where the scoring generates, none elsewhere. */
    public List<String> requestStop() {
        return scoring.generates() ? stop : List.of();
    }

    /** The next-token alternatives its requests ask for: {@code top-k} for mc-logprob and kld, 0 elsewhere. */
    public int requestTopK() {
        return scoring.needsNextToken() ? topK : 0;
    }
}
