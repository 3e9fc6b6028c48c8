package io.quantsweep.eval.run;

import io.quantsweep.eval.backend.Backend;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.Choice;
import io.quantsweep.eval.backend.Completion;
import io.quantsweep.eval.backend.GenerationParams;
import io.quantsweep.eval.backend.NextTokenDistribution;
import io.quantsweep.eval.backend.ServerInfo;
import io.quantsweep.eval.score.ModelOutput;
import io.quantsweep.eval.score.Score;
import io.quantsweep.eval.score.ScoringMode;
import io.quantsweep.eval.sweep.BenchmarkSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Asks a backend for one sample and scores it: the call each scoring mode makes, and the row that
 * records it; and scores written samples again ({@link #rescorer}).
 *
 * <ul>
 *   <li>mc-logprob and kld: {@link Backend#topK} with the benchmark's top-k; the response is the most
 *       probable token.
 *   <li>mc-grammar: {@link Backend#choose} among the template's letter answers ({@code " A"} …).
 *   <li>mc-generate, numeric, gsm8k-strict-match, gsm8k-flexible-extract, boxed: {@link Backend#generate}
 *       with the benchmark's sampling settings and the sample's own seed; top-k and min-p off.
 * </ul>
 */
public final class SampleRunner {
    /** Extractor id of kld rows, which are compared, not scored. */
    static final String KLD_EXTRACTOR = "kld";

    private SampleRunner() {
    }

    /** What one call returned, in the shape a row needs. */
    private record Answer(String response, ModelOutput output, Map<String, Double> top, Duration latency,
                          Integer tokens, String finishReason, int attempts) {
    }

    /** Asks {@code backend} for sample {@code sample} of {@code work} and scores the answer. */
    public static SampleRow run(Backend backend, String sweep, String variant, BenchmarkPlan benchmark, WorkItem work,
            int sample) throws BackendException {
        BenchmarkSpec spec = benchmark.spec();
        String text = work.text(sample);
        long seed = spec.sampleSeed(work.item().id(), sample);
        Answer a = ask(backend, spec, work, text, seed);
        boolean kld = spec.scoring() == ScoringMode.KLD;
        Score score = kld ? new Score(false, "", KLD_EXTRACTOR, Map.of())
                : spec.scoring().score(work.item(), a.output(), work.prompt().thinkPrefilled());
        ServerInfo info = backend.serverInfo();
        return new SampleRow(variant, spec.name(), work.item().id(), sample, work.item().subject(),
                WorkItem.hash(text), work.prompt().templateId(), a.response(), score.predicted(),
                kld ? work.continuation(sample) : work.item().answer(), kld ? null : score.correct(),
                score.extractor(), score.letterProbabilities(), a.top(), kld ? work.cuts().get(sample) : null,
                a.latency().toNanos() / 1e6, a.tokens(), a.finishReason(), a.attempts(), info.backend(), info.build(),
                info.model(), info.details(), spec.scoring().id(), seed, spec.temperature(), spec.topP(),
                spec.maxTokens(), spec.requestStop(), spec.requestTopK(), sweep, System.currentTimeMillis());
    }

    /**
     * Scores samples read back from their file again, from what the backend answered (the response, or
     * the next-token alternatives), as {@link #run} scores them now: samples an earlier version scored
     * by other rules take this version's score, so one sweep's samples are scored one way. Samples of
     * items the plan does not hold, and kld's, stay as they are.
     */
    static SampleFiles.Rescorer rescorer(BenchmarkPlan benchmark) {
        ScoringMode scoring = benchmark.spec().scoring();
        if (!scoring.scored()) {
            return SampleFiles.Rescorer.NONE;
        }
        Map<String, WorkItem> items = new HashMap<>();
        benchmark.items().forEach(w -> items.put(w.item().id(), w));
        return sample -> {
            WorkItem w = items.get(sample.get("item_id").toString());
            if (w == null) {
                return false;
            }
            ModelOutput output = scoring.needsNextToken()
                    ? new ModelOutput.NextToken(SampleFiles.mapColumn(sample, "top_logprobs", Double.class::cast))
                    : new ModelOutput.Generation(sample.get("response").toString());
            Score now = scoring.score(w.item(), output, w.prompt().thinkPrefilled());
            String gold = w.item().answer();
            if (now.predicted().equals(sample.get("predicted").toString())
                    && now.extractor().equals(sample.get("extractor").toString())
                    && Objects.equals(now.correct(), sample.get("correct")) && gold.equals(sample.get("gold").toString())
                    && now.letterProbabilities()
                            .equals(SampleFiles.mapColumn(sample, "letter_probabilities", Double.class::cast))) {
                return false;
            }
            sample.put("predicted", now.predicted());
            sample.put("correct", now.correct());
            sample.put("extractor", now.extractor());
            sample.put("letter_probabilities", now.letterProbabilities());
            sample.put("gold", gold);
            return true;
        };
    }

    private static Answer ask(Backend backend, BenchmarkSpec spec, WorkItem work, String text, long seed)
            throws BackendException {
        return switch (SweepPlan.needs(spec.scoring())) {
            case TOP_K -> {
                NextTokenDistribution d = backend.topK(text, spec.topK());
                Map<String, Double> top = d.asMap();
                yield new Answer(d.top().get(0).token(), new ModelOutput.NextToken(top), top,
                        d.latency(), null, null, d.attempts());
            }
            case CHOOSE -> {
                Choice c = backend.choose(text, spec.template().letterChoices(work.item().choices().size(), spec.chat()));
                yield new Answer(c.text(), new ModelOutput.Generation(c.text()), Map.of(), c.latency(), null, null,
                        c.attempts());
            }
            case GENERATE -> {
                Completion c = backend.generate(text, GenerationParams.builder()
                        .maxTokens(spec.maxTokens())
                        .temperature(spec.temperature())
                        .topP(spec.topP())
                        .seed(Math.toIntExact(seed))
                        .stop(spec.stop())
                        .build());
                yield new Answer(c.text(), new ModelOutput.Generation(c.text()), Map.of(), c.latency(), c.tokens(),
                        c.finishReason().name(), c.attempts());
            }
            case TOKEN_LOGPROBS, RAW_PROMPT -> throw new IllegalStateException("not what a scoring asks: " + spec.scoring());
        };
    }
}
