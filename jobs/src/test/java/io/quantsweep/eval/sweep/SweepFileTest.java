package io.quantsweep.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.backend.embedded.EmbeddedConfig.NativeLog;
import io.quantsweep.eval.backend.http.ServerKind;
import io.quantsweep.eval.bench.JsonlFields;
import io.quantsweep.eval.bench.LoaderKind;
import io.quantsweep.eval.prompt.ChatFormat;
import io.quantsweep.eval.prompt.PromptTemplate;
import io.quantsweep.eval.prompt.ShotSelection;
import io.quantsweep.eval.score.ScoringMode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SweepFileTest {
    /** A valid sweep; the error cases below change one of its lines (numbered in the comments). */
    private static final List<String> BASE = List.of(
            "name: t",                          // 1
            "baseline: a",                      // 2
            "variants:",                        // 3
            "  - name: a",                      // 4
            "    endpoints:",                   // 5
            "      - url: http://h:1",          // 6
            "        api: llama-server",        // 7
            "  - name: b",                      // 8
            "    gguf: /m/b.gguf",              // 9
            "benchmarks:",                      // 10
            "  - name: mmlu",                   // 11
            "    loader: mmlu",                 // 12
            "    path: d/mmlu",                 // 13
            "    template: mmlu-lm-eval",       // 14
            "    scoring: mc-logprob",          // 15
            "  - name: math",                   // 16
            "    loader: math500",              // 17
            "    path: d/math",                 // 18
            "    template: math-boxed",         // 19
            "    scoring: boxed",               // 20
            "    max-tokens: 64");              // 21

    private static String with(int line, String text) {
        List<String> lines = new ArrayList<>(BASE);
        if (line > lines.size()) {
            lines.add(text);
        } else {
            lines.set(line - 1, text);
        }
        return String.join("\n", lines) + "\n";
    }

    @Test
    void anInProcessVariantOpensLlamaCppsOwnLogOnRequest() throws SweepFormatException {
        VariantSpec.InProcess quiet = assertInstanceOf(VariantSpec.InProcess.class,
                SweepFile.parse(with(9, "    gguf: /m/b.gguf"), "t.yaml").variants().get(1).deployment());
        assertEquals(NativeLog.OFF, quiet.nativeLog());
        VariantSpec.InProcess loud = assertInstanceOf(VariantSpec.InProcess.class,
                SweepFile.parse(with(9, "    gguf: /m/b.gguf\n    native-log: stderr"), "t.yaml").variants().get(1).deployment());
        assertEquals(new VariantSpec.InProcess("/m/b.gguf", 0, 0, NativeLog.STDERR), loud);
    }

    @Test
    void theExampleSweepParses() throws IOException {
        Path file = Path.of("..", "conf", "sweeps", "r1-llama-server-smoke.yaml");
        assertTrue(Files.isRegularFile(file), "example sweep missing: " + file.toAbsolutePath());
        SweepSpec s = SweepFile.read(file);
        assertEquals("r1-llama-server-smoke", s.name());
        assertEquals("q4_k_m", s.baselineVariant().name());
        assertEquals(List.of("q4_k_m", "dq3_k_m", "q3_k_m"), s.variants().stream().map(VariantSpec::name).toList());
        VariantSpec.Endpoints dq3 = assertInstanceOf(VariantSpec.Endpoints.class, s.variants().get(1).deployment());
        assertEquals(List.of(
                new EndpointSpec(URI.create("http://127.0.0.1:8081"), ServerKind.LLAMA_SERVER, EndpointApi.LLAMA_SERVER, "", 4),
                new EndpointSpec(URI.create("http://127.0.0.1:8082"), ServerKind.LLAMA_SERVER, EndpointApi.LLAMA_SERVER, "", 2)),
                dq3.endpoints());
        assertEquals(new VariantSpec.InProcess("/models/DeepSeek-R1-Q3_K_M/DeepSeek-R1-Q3_K_M-00001-of-00007.gguf", 36864, 0,
                NativeLog.OFF),
                s.variants().get(2).deployment());
        assertEquals(new ExecutionSpec(4, Duration.ofSeconds(3600), 2, Duration.ofMillis(500), 0.0, 8), s.execution());

        assertEquals(new BenchmarkSpec("mmlu", LoaderKind.MMLU, "benchmarks/mmlu/data", "test", "dev", 5,
                ShotSelection.FIRST_N, PromptTemplate.MMLU_LM_EVAL, ChatFormat.NONE, ScoringMode.MC_GRAMMAR, 1, 1, 0.0,
                1.0, 1234, 1234, 500, List.of(), 2.0, JsonlFields.DEFAULT, 20, 16), s.benchmarks().get(0));
        BenchmarkSpec gsm8k = s.benchmarks().get(2);
        assertEquals(List.of("Question:", "\n\n\n"), gsm8k.stop());
        assertEquals(ShotSelection.LM_EVAL, gsm8k.shotSelection());
        assertEquals("train", gsm8k.shotsSplit());
        assertEquals(0.0, gsm8k.weight(), "GSM8K has no weight in the paper");
        BenchmarkSpec aime = s.benchmarks().get(4);
        assertEquals(ChatFormat.DEEPSEEK_R1, aime.chat());
        assertEquals(8, aime.samples());
        assertEquals(0.6, aime.temperature());
        assertEquals(0.95, aime.topP());
        assertEquals(32768, aime.maxTokens());
        assertEquals(0, aime.limit());
        assertEquals(0.4, aime.weight());
        assertEquals(1.0, s.benchmarks().get(3).weight());
    }

    @Test
    void theKldExampleSweepParses() throws IOException {
        SweepSpec s = SweepFile.read(Path.of("..", "conf", "sweeps", "v3-kld-endpoints.yaml"));
        BenchmarkSpec prose = s.benchmarks().get(0);
        assertEquals(ScoringMode.KLD, prose.scoring());
        assertEquals(LoaderKind.TEXT, prose.loader());
        assertEquals(PromptTemplate.PASSAGE, prose.template());
        assertEquals(40, prose.topK());
        assertEquals(16, prose.positions());
        assertEquals(1, prose.samples());
        assertEquals(0.0, prose.weight());
        assertEquals(20, s.benchmarks().get(1).topK());
        VariantSpec.Endpoints q2 = assertInstanceOf(VariantSpec.Endpoints.class, s.variants().get(2).deployment());
        assertEquals(new EndpointSpec(URI.create("http://127.0.0.1:8082"), ServerKind.LLAMA_SERVER,
                EndpointApi.OPENAI_COMPLETIONS, "q2_k_l", 1), q2.endpoints().get(0));
        assertEquals(new ExecutionSpec(1, Duration.ofSeconds(600), 3, Duration.ofMillis(500), 0.01, 32), s.execution());
    }

    @Test
    void theRouterExampleSweepNamesOneModelOfOneServerPerVariant() throws IOException {
        SweepSpec s = SweepFile.read(Path.of("..", "conf", "sweeps", "v3-llama-server-router.yaml"));
        List<String> models = new ArrayList<>();
        for (VariantSpec v : s.variants()) {
            EndpointSpec e = assertInstanceOf(VariantSpec.Endpoints.class, v.deployment()).endpoints().get(0);
            assertEquals(URI.create("http://127.0.0.1:8080"), e.url());
            assertEquals(EndpointApi.LLAMA_SERVER, e.api());
            models.add(e.model());
        }
        // the quantize job's variant folders, which the router lists as its models
        assertEquals(List.of("Q8_0", "Q4_K_M", "DQ3_K_M", "Q2_K"), models);
    }

    @Test
    void kldTakesNoGenerationSettings() {
        String kld = "  - {name: prose, loader: text, path: p, scoring: kld, ";
        SweepFormatException e = assertThrows(SweepFormatException.class, () -> SweepFile.parse(
                with(22, kld + "temperature: 0.5}"), "t.yaml"));
        assertTrue(e.getMessage().contains("benchmarks[2].temperature: scoring 'kld' reads the next token"), e.getMessage());
        SweepFormatException template = assertThrows(SweepFormatException.class, () -> SweepFile.parse(
                with(22, kld + "template: math-boxed}"), "t.yaml"));
        assertTrue(template.getMessage().contains("benchmarks[2].template: scoring 'kld', loader 'text' and template"),
                template.getMessage());
    }

    @Test
    void gsm8kStopsWhereLmEvalStopsUnlessTheSweepSaysOtherwise() throws SweepFormatException {
        String gsm8k = "  - {name: gsm8k, loader: gsm8k, path: g, template: gsm8k-lm-eval, scoring: numeric, max-tokens: 256";
        assertEquals(List.of("Question:", "</s>", "<|im_end|>"),
                SweepFile.parse(with(22, gsm8k + "}"), "t.yaml").benchmarks().get(2).stop());
        assertEquals(List.of(), SweepFile.parse(with(22, gsm8k + ", stop: []}"), "t.yaml").benchmarks().get(2).stop());
        assertEquals(List.of(), SweepFile.parse(with(22, "    weight: 3"), "t.yaml").benchmarks().get(1).stop(),
                "other templates set none");
    }

    @Test
    void gsm8kDrawsExemplarsAsLmEvalDoesUnlessTheSweepSaysOtherwise() throws SweepFormatException {
        String gsm8k = "  - {name: gsm8k, loader: gsm8k, path: g, template: gsm8k-lm-eval, scoring: numeric, max-tokens: 256"
                + ", shots-split: train";
        BenchmarkSpec harness = SweepFile.parse(with(22, gsm8k + ", n-shot: 5}"), "t.yaml").benchmarks().get(2);
        assertEquals(ShotSelection.LM_EVAL, harness.shotSelection());
        assertEquals(1234L, harness.shotSeed(), "the harness's few-shot seed");
        assertEquals(0L, harness.seed(), "the limit's subset and sampling keep theirs");
        BenchmarkSpec seeded = SweepFile.parse(with(22, gsm8k + ", n-shot: 5, seed: 7, shot-seed: 42}"), "t.yaml")
                .benchmarks().get(2);
        assertEquals(ShotSelection.LM_EVAL, seeded.shotSelection());
        assertEquals(7L, seeded.seed());
        assertEquals(42L, seeded.shotSeed());
        BenchmarkSpec firstN = SweepFile.parse(with(22, gsm8k + ", n-shot: 5, shot-selection: first-n}"), "t.yaml")
                .benchmarks().get(2);
        assertEquals(ShotSelection.FIRST_N, firstN.shotSelection());
        BenchmarkSpec ours = SweepFile.parse(with(22, gsm8k + ", n-shot: 5, shot-selection: seeded, seed: 9}"), "t.yaml")
                .benchmarks().get(2);
        assertEquals(9L, ours.shotSeed(), "seeded draws by the benchmark's seed, as before shot-seed");
        SweepFormatException drawsNothing = assertThrows(SweepFormatException.class, () -> SweepFile.parse(
                with(22, gsm8k + ", n-shot: 5, shot-selection: first-n, shot-seed: 3}"), "t.yaml"));
        assertTrue(drawsNothing.getMessage().endsWith("benchmarks[2].shot-seed: only seeded and lm-eval exemplars are drawn "
                + "(with n-shot above 0)"), drawsNothing.getMessage());
        BenchmarkSpec zeroShot = SweepFile.parse(with(22, gsm8k + "}"), "t.yaml").benchmarks().get(2);
        assertEquals(ShotSelection.FIRST_N, zeroShot.shotSelection(), "no exemplars, nothing drawn");
        BenchmarkSpec mmlu = SweepFile.parse(with(15, "    scoring: mc-logprob\n    n-shot: 5"), "t.yaml")
                .benchmarks().get(0);
        assertEquals(ShotSelection.FIRST_N, mmlu.shotSelection(), "MMLU's exemplars are the first of its dev split");
        assertEquals(5, mmlu.shots());
    }

    @Test
    void multipleChoiceByTheMostProbableLetterTakesNoSampling() throws SweepFormatException {
        for (String scoring : List.of("mc-logprob", "mc-grammar")) {
            for (String setting : List.of("samples: 4", "temperature: 0.9", "top-p: 0.95")) {
                SweepFormatException e = assertThrows(SweepFormatException.class,
                        () -> SweepFile.parse(with(15, "    scoring: " + scoring + "\n    " + setting), "t.yaml"));
                assertEquals("t.yaml:16: benchmarks[0]." + setting.substring(0, setting.indexOf(':')) + ": scoring '"
                        + scoring + "' asks once per item for the most probable letter, greedily, so it takes no "
                        + "samples above 1, temperature above 0 or top-p below 1", e.getMessage());
            }
            BenchmarkSpec spelledOut = SweepFile.parse(with(15, "    scoring: " + scoring
                    + "\n    samples: 1\n    temperature: 0\n    top-p: 1"), "t.yaml").benchmarks().get(0);
            assertEquals(1, spelledOut.samples());
        }
    }

    @Test
    void defaultsOfAMinimalSweep() throws SweepFormatException {
        SweepSpec s = SweepFile.parse(with(22, "    weight: 3"), "t.yaml");
        assertEquals(ExecutionSpec.DEFAULT, s.execution());
        BenchmarkSpec mmlu = s.benchmarks().get(0);
        assertEquals("test", mmlu.split());
        assertEquals(0, mmlu.shots());
        assertEquals(1, mmlu.maxTokens());
        assertEquals(0.0, mmlu.temperature());
        assertEquals(0L, mmlu.seed());
        assertEquals(3.0, s.benchmarks().get(1).weight());
        assertEquals(1, ((VariantSpec.Endpoints) s.variants().get(0).deployment()).endpoints().get(0).concurrency());
    }

    @ParameterizedTest(name = "line {0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            7  | `        api: vllm`                          | 7  | variants[0].endpoints[0].api: unknown api 'vllm', one of llama-server
            7  | `        api: openai-chat`                   | 6  | variants[0].endpoints[0]: api 'openai-chat' needs a 'model'
            6  | `      - url: ftp://h`                       | 6  | variants[0].endpoints[0].url: expected an http:// or https:// URL
            9  | `    gguf: ~`                                | 8  | variants[1]: give either 'gguf' (in-process) or 'endpoints', not neither
            2  | `baseline: c`                               | 2  | baseline: 'c' is not one of the variants
            8  | `  - name: a`                               | 8  | variants[1].name: variant 'a' is named twice
            16 | `  - name: mmlu`                            | 16 | benchmarks[1].name: benchmark 'mmlu' is named twice
            15 | `    scoring: boxed`                        | 15 | benchmarks[0].scoring: 'boxed' does not fit the multiple-choice loader 'mmlu'
            14 | `    template: math-boxed`                  | 14 | benchmarks[0].template: 'math-boxed' does not fit
            21 | `    samples: 2`                            | 16 | benchmarks[1]: missing key 'max-tokens' (scoring 'boxed' generates text)
            13 | `    split: dev`                            | 11 | missing key 'benchmarks[0].path'
            22 | `    n-shot: -1`                            | 22 | benchmarks[1].n-shot: must be 0 or more, got -1
            22 | `    samples: two`                          | 22 | benchmarks[1].samples: expected an integer, got 'two'
            22 | `    top-p: 0`                              | 22 | benchmarks[1].top-p: must be in (0, 1]
            22 | `    temperature: .nan`                     | 22 | benchmarks[1].temperature: expected a number, got '.nan'
            22 | `    fields: {question: problem}`           | 22 | benchmarks[1].fields: only the jsonl-choice and jsonl-free loaders
            22 | `    colour: red`                           | 22 | unknown key 'benchmarks[1].colour', expected one of chat, fields, limit
            22 | `    max-tokens: 65`                        | 22 | duplicate key 'benchmarks[1].max-tokens'
            22 | `    limit: 0`                              | 22 | benchmarks[1].limit: must be 1 or more, got 0
            22 | `    stop: 5`                               | 22 | benchmarks[1].stop: expected a list
            1  | `name: a/b`                                 | 1  | name: 'a/b' may hold only letters, digits
            1  | `name: [a, b]`                              | 1  | name: expected a single value
            22 | `execution: {retries: -1}`                  | 22 | execution.retries: must be 0 or more, got -1
            22 | `execution: {max-malformed-share: 2}`       | 22 | execution.max-malformed-share: must be between 0 and 1
            22 | `variants: []`                              | 22 | duplicate key 'variants'
            7  | `        api: llama-server\n        server: vllm` | 8 | variants[0].endpoints[0].server: api 'llama-server' is llama-server's own
            7  | `        api: openai-chat\n        model: m\n        server: tgi` | 9 | variants[0].endpoints[0].server: unknown server 'tgi', one of llama-server, vllm, sglang
            7  | `        api: llama-server\n      - {url: 'http://h:2', api: openai-chat, model: m}` | 6 | variants[0].endpoints: endpoints[1] (llama-server openai-chat m) differs from endpoints[0]
            7  | `        api: llama-server\n    threads: 4` | 8 | variants[0].threads: only in-process variants ('gguf') take 'threads'
            9  | `    gguf: /m/b.gguf\n    context-size: -1` | 10 | variants[1].context-size: must be 0 or more, got -1
            9  | `    gguf: /m/b.gguf\n    native-log: loud` | 10 | variants[1].native-log: unknown native log 'loud', one of off, stderr
            7  | `        api: llama-server\n    native-log: stderr` | 8 | variants[0].native-log: only in-process variants ('gguf') take 'native-log'
            9  | `    gguf: /m/b.gguf\n  - {name: c, gguf: /m/b.gguf}` | 10 | variants[2].gguf: variant 'b' runs /m/b.gguf already
            22 | `    top-k: 5`                              | 22 | benchmarks[1].top-k: only scoring 'mc-logprob' and 'kld'
            22 | `    positions: 5`                          | 22 | benchmarks[1].positions: only scoring 'kld' takes 'positions'
            20 | `    scoring: kld`                          | 17 | benchmarks[1].loader: scoring 'kld', loader 'text' and template 'passage' go together
            22 | `execution: {batch-size: 0}`               | 22 | execution.batch-size: must be 1 or more, got 0
            """)
    void refusalsNameTheFileTheLineAndTheKey(int line, String text, int expectedLine, String message) {
        SweepFormatException e = assertThrows(SweepFormatException.class, () -> SweepFile.parse(with(line, text),
                "conf/sweeps/t.yaml"));
        assertEquals(expectedLine, e.line(), e.getMessage());
        assertEquals("conf/sweeps/t.yaml", e.file());
        assertTrue(e.getMessage().startsWith("conf/sweeps/t.yaml:" + expectedLine + ": " + message), e.getMessage());
    }

    @Test
    void chatThatOpensThinkingCannotBeScoredByTheNextToken() {
        SweepFormatException e = assertThrows(SweepFormatException.class, () -> SweepFile.parse(
                with(15, "    scoring: mc-logprob\n    chat: deepseek-r1"), "t.yaml"));
        assertEquals(16, e.line());
        assertTrue(e.getMessage().contains("opens the reply with <think>"), e.getMessage());
    }

    @Test
    void aVariantWithBothDeploymentsAndOtherWholeFileRefusals() {
        SweepFormatException both = assertThrows(SweepFormatException.class, () -> SweepFile.parse(
                with(9, "    gguf: /m/b.gguf\n    endpoints: [{url: 'http://x:1', api: llama-server}]"), "t.yaml"));
        assertEquals(8, both.line());
        assertTrue(both.getMessage().endsWith("not both"), both.getMessage());

        SweepFormatException syntax = assertThrows(SweepFormatException.class,
                () -> SweepFile.parse(with(13, "    path: [unclosed"), "t.yaml"));
        assertTrue(syntax.line() >= 13, syntax.getMessage());
        assertTrue(syntax.getMessage().contains("not valid YAML"), syntax.getMessage());

        assertEquals("t.yaml:1: empty sweep file",
                assertThrows(SweepFormatException.class, () -> SweepFile.parse("# nothing\n", "t.yaml")).getMessage());
        SweepFormatException noVariants = assertThrows(SweepFormatException.class,
                () -> SweepFile.parse(String.join("\n", Arrays.asList("name: t", "baseline: a", "variants: []",
                        "benchmarks: []")), "t.yaml"));
        assertEquals(3, noVariants.line());
        assertTrue(noVariants.getMessage().contains("at least one variant"), noVariants.getMessage());
        SweepFormatException list = assertThrows(SweepFormatException.class,
                () -> SweepFile.parse("- a\n- b\n", "t.yaml"));
        assertTrue(list.getMessage().startsWith("t.yaml:1: expected a mapping"), list.getMessage());
    }
}
