package io.quantsweep.eval.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.backend.http.FakeInferenceServer;
import io.quantsweep.eval.backend.http.ServerKind;
import io.quantsweep.eval.sweep.SweepFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An SGLang variant whose KV cache pool holds less than a benchmark's answers need is refused when it
 * opens, before it is asked, though its {@code max_model_len} would hold them: its scheduler would cut
 * every answer short without an error. Run as a Spark task runs it, without Spark.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SglangContextTest {
    @TempDir
    Path data;

    @Test
    void aPoolTooSmallForTheAnswersIsRefusedBeforeTheVariantIsAsked() throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.SGLANG).context(8192).pool(40)) {
            SweepRefusedException e = assertThrows(SweepRefusedException.class, () -> run(server, 64));
            // max_req_len = min(8191, 39) = 39: 38 tokens for prompt and answer
            assertTrue(e.getMessage().contains("variant v: cannot open") && e.getMessage().contains("gives a context of 38 "
                    + "tokens, which cannot hold benchmark free's max-tokens 64 and its prompt") && e.getMessage().contains(
                    "SGLang: --context-length, and a KV cache that holds it: --mem-fraction-static, --max-total-tokens"),
                    e.getMessage());
            assertEquals(0, server.totalRequests(), "nothing was asked");
        }
    }

    @Test
    void aPoolThatHoldsTheAnswersIsAsked() throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.SGLANG).context(8192).pool(4096)) {
            VariantOutcome outcome = run(server, 64);
            assertEquals(2, server.totalRequests(), "each item once: " + outcome);
        }
    }

    /** Runs the only variant, on {@code server}, of a sweep of two free-answer items of {@code maxTokens}. */
    private VariantOutcome run(FakeInferenceServer server, int maxTokens) throws IOException {
        Files.createDirectories(data.resolve("free"));
        Files.writeString(data.resolve("free/test.jsonl"), """
                {"id": "f1", "question": "#1 How many?", "answer": "1"}
                {"id": "f2", "question": "#2 How many?", "answer": "2"}
                """);
        SweepPlan plan = SweepPlan.of(SweepFile.parse("""
                name: pool
                baseline: v
                variants:
                  - name: v
                    endpoints:
                      - {url: "%s", server: sglang, api: openai-completions, model: tiny-deepseek}
                benchmarks:
                  - {name: free, loader: jsonl-free, path: free, template: gsm8k-lm-eval, scoring: numeric, max-tokens: %d}
                """.formatted(server.uri(), maxTokens), "pool.yaml"), new org.apache.hadoop.fs.Path(data.toUri()),
                new Configuration());
        return VariantRun.run(plan, "v", data.resolve("samples").toUri().toString(), Map.of());
    }
}
