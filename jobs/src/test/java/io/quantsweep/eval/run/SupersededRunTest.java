package io.quantsweep.eval.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.backend.http.FakeInferenceServer;
import io.quantsweep.eval.backend.http.ServerKind;
import io.quantsweep.eval.sweep.SweepFile;
import io.quantsweep.io.AtomicOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task attempt that Spark gave up on while it still runs (its executor lost, a retry started) stops
 * at its next batch once the retry has claimed the variant, rather than write samples the retry writes too.
 */
class SupersededRunTest {
    private static final int ITEMS = 40;

    @TempDir
    Path data;

    @Test
    void anAttemptStopsBeforeItsNextBatchOnceARetryClaimedItsVariant() throws Exception {
        StringBuilder free = new StringBuilder();
        for (int i = 0; i < ITEMS; i++) {
            free.append("{\"id\": \"f%d\", \"question\": \"#%d How many?\", \"answer\": \"%d\"}\n".formatted(i, i, i));
        }
        Files.createDirectories(data.resolve("free"));
        Files.writeString(data.resolve("free/test.jsonl"), free);
        ExecutorService task = Executors.newSingleThreadExecutor();
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.LLAMA_SERVER).delay(Duration.ofMillis(25))) {
            SweepPlan plan = SweepPlan.of(SweepFile.parse("""
                    name: zombie
                    baseline: v
                    variants:
                      - name: v
                        endpoints:
                          - {url: "%s", api: llama-server, concurrency: 1}
                    benchmarks:
                      - {name: free, loader: jsonl-free, path: free, template: gsm8k-lm-eval, scoring: numeric, max-tokens: 4}
                    execution: {batch-size: 4}
                    """.formatted(server.uri()), "zombie.yaml"), new org.apache.hadoop.fs.Path(data.toUri()), new Configuration());
            Path samples = data.resolve("samples");
            Path benchmark = samples.resolve("variant=v/benchmark=free");
            Future<VariantOutcome> zombie = task.submit(() -> VariantRun.run(plan, "v", samples.toUri().toString(), Map.of()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (parts(benchmark) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(parts(benchmark) > 0, "the first batch was never written");
            SampleFiles.claim(AtomicOutput.localFileSystem(), new org.apache.hadoop.fs.Path(samples.toUri()), "v", "the-retry");

            ExecutionException e = assertThrows(ExecutionException.class, () -> zombie.get(30, TimeUnit.SECONDS));
            SupersededException stopped = assertInstanceOf(SupersededException.class, e.getCause());
            assertTrue(stopped.getMessage().contains("attempt the-retry writes the variant's samples now"), stopped.getMessage());
            int written = parts(benchmark);
            assertTrue(written < ITEMS / 4, "the attempt went on writing: " + written + " batches");
            Thread.sleep(200);
            assertEquals(written, parts(benchmark), "nothing is written after it stopped");
            assertEquals("the-retry", Files.readString(samples.resolve("variant=v/" + SampleFiles.WRITER)));
        } finally {
            task.shutdownNow();
        }
    }

    private static int parts(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return (int) files.filter(f -> f.getFileName().toString().startsWith(SampleFiles.PART)).count();
        }
    }
}
