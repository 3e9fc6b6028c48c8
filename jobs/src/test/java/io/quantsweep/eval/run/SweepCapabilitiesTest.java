package io.quantsweep.eval.run;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.sweep.SweepFile;
import io.quantsweep.eval.sweep.SweepSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What a sweep asks of its variants' backends, checked before any benchmark is loaded or prompt sent. */
class SweepCapabilitiesTest {
    private static final Path SWEEPS = Path.of("..", "conf", "sweeps");

    static Stream<Path> shippedSweeps() throws IOException {
        return Files.list(SWEEPS).filter(p -> p.toString().endsWith(".yaml")).sorted();
    }

    private static List<VariantPlan> variants(SweepSpec s) {
        return s.variants().stream().map(v -> VariantPlan.of(v, "/models/m.gguf", s.execution())).toList();
    }

    @ParameterizedTest
    @MethodSource("shippedSweeps")
    void everyShippedSweepAsksOnlyWhatItsVariantsCanDo(Path file) throws IOException {
        SweepSpec s = SweepFile.read(file);
        SweepPlan.requireCapabilities(s, variants(s));
    }

    /** A sweep of one benchmark on one vLLM endpoint that speaks the chat API. */
    private static SweepSpec onAChatApi(String benchmark) throws IOException {
        return SweepFile.parse("""
                name: t
                baseline: api
                variants:
                  - name: api
                    endpoints:
                      - {url: "http://127.0.0.1:8080", server: vllm, api: openai-chat, model: m}
                benchmarks:
                  - %s
                """.formatted(benchmark), "t.yaml");
    }

    @Test
    void anInProcessContextTooSmallForTheGenerationsIsRefused() throws IOException {
        String sweep = """
                name: t
                baseline: local
                variants:
                  - {name: local, gguf: /models/m.gguf, context-size: %d}
                benchmarks:
                  - {name: math, loader: math500, path: b, template: math-boxed, scoring: boxed, max-tokens: 4096}
                  - {name: mmlu, loader: mmlu, path: m, template: mmlu-lm-eval, scoring: mc-grammar}
                """;
        SweepSpec small = SweepFile.parse(sweep.formatted(4096), "t.yaml");
        SweepRefusedException e = assertThrows(SweepRefusedException.class,
                () -> SweepPlan.requireCapabilities(small, variants(small)));
        assertTrue(e.getMessage().startsWith("sweep t: variant local has a context of 4096 tokens, which cannot hold "
                + "benchmark math's max-tokens 4096 and its prompt"), e.getMessage());

        SweepSpec large = SweepFile.parse(sweep.formatted(6144), "t.yaml");
        SweepPlan.requireCapabilities(large, variants(large));
        SweepSpec own = SweepFile.parse(sweep.formatted(0), "t.yaml");
        SweepPlan.requireCapabilities(own, variants(own));
    }

    @Test
    void chatMarkupOrPassagesAreRefusedForAChatApiThatAddsItsOwnTemplate() throws IOException {
        String math = "{name: math, loader: math500, path: b, template: math-boxed, chat: %s, scoring: boxed, max-tokens: 64}";
        SweepSpec marked = onAChatApi(math.formatted("deepseek-r1"));
        SweepRefusedException e = assertThrows(SweepRefusedException.class,
                () -> SweepPlan.requireCapabilities(marked, variants(marked)));
        assertTrue(e.getMessage().startsWith("sweep t: variant api cannot run benchmark math (scoring boxed)"), e.getMessage());
        assertTrue(e.getMessage().contains("RAW_PROMPT"), e.getMessage());

        SweepSpec plain = onAChatApi(math.formatted("none"));
        SweepPlan.requireCapabilities(plain, variants(plain));

        SweepSpec passages = onAChatApi("{name: prose, loader: text, path: p, scoring: kld}");
        SweepRefusedException kld = assertThrows(SweepRefusedException.class,
                () -> SweepPlan.requireCapabilities(passages, variants(passages)));
        assertTrue(kld.getMessage().contains("RAW_PROMPT"), kld.getMessage());
    }
}
