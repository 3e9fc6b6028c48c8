package io.quantsweep.cli;

import static io.quantsweep.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.cli.CliRun.Result;
import io.quantsweep.eval.backend.http.FakeInferenceServer;
import io.quantsweep.eval.backend.http.ServerKind;
import io.quantsweep.eval.run.SweepPlan;
import io.quantsweep.eval.sweep.SweepFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code quantsweep eval} from the command line: a run against a fake llama-server, and its refusals. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EvalCommandTest {
    @TempDir
    Path dir;

    private Path sweep(String variants, String scoring) throws IOException {
        Files.createDirectories(dir.resolve("data/mc"));
        Files.writeString(dir.resolve("data/mc/test.jsonl"), """
                {"question": "#0 First?", "choices": ["a", "b"], "answer": "A"}
                {"question": "#1 Second?", "choices": ["a", "b"], "answer": "A"}
                """);
        return Files.writeString(dir.resolve("t.yaml"), """
                name: t
                baseline: one
                variants:
                %s
                benchmarks:
                  - {name: mc, loader: jsonl-choice, path: data/mc, template: mmlu-lm-eval, scoring: %s}
                """.formatted(variants, scoring));
    }

    @Test
    void runsASweepPrintsWhatItDidAndResumes() throws IOException {
        try (FakeInferenceServer server = new FakeInferenceServer(ServerKind.LLAMA_SERVER)) {
            String endpoint = "    endpoints: [{url: \"" + server.uri() + "\", api: llama-server}]";
            Path file = sweep("  - name: one\n" + endpoint + "\n  - name: two\n" + endpoint, "mc-grammar");
            String out = dir.resolve("out").toString();
            Result r = run("eval", "--sweep", file.toString(), "--out", out, "--master", "local[1]");
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("variant one: 2 samples, 0 from earlier runs, 2 written in 1 files"), r.out());
            // the server picks choice #id: A for item 0 (right), B for item 1 (wrong)
            // one greedy sample per item: no pass@k, no cons@k
            assertTrue(r.out().matches("(?s).*\\ntwo\\s+mc\\s+0\\.5000\\s+2\\s+0\\.5000\\s+-\\s+-\\s+0\\.0000\\s+1\\.0000\\s+1\\.0000\\n.*"),
                    r.out());
            assertTrue(r.out().endsWith("wrote " + out + "/{samples,summary}\n"), r.out());
            assertTrue(Files.isDirectory(dir.resolve("out/summary")));

            Result again = run("eval", "--sweep", file.toString(), "--out", out, "--master", "local[1]");
            assertEquals(0, again.status(), again.err());
            assertTrue(again.out().contains("variant two: 2 samples, 2 from earlier runs, 0 written in 0 files"), again.out());
        }
    }

    @Test
    void relativePathsStartFromTheSweepFilesFolderOnLocalDiskWhateverTheDefaultFileSystem() throws IOException {
        Path file = sweep("  - {name: one, endpoints: [{url: \"http://127.0.0.1:1\", api: llama-server}]}", "mc-grammar");
        Configuration cluster = new Configuration();
        cluster.set("fs.defaultFS", "hdfs://127.0.0.1:1");
        SweepPlan plan = SweepPlan.of(SweepFile.read(file), EvalCommand.folderOf(file), cluster);
        assertEquals(2, plan.benchmarks().get(0).items().size());
    }

    @Test
    void refusalsAreBadInputInOneLine() throws IOException {
        // chat markup in the prompt, for a chat API that adds its own template
        Path file = sweep("  - {name: one, endpoints: [{url: \"http://127.0.0.1:1\", server: vllm, api: openai-chat, model: m}]}",
                "mc-grammar, chat: deepseek-v3");
        Result refused = run("eval", "--sweep", file.toString(), "--out", dir.resolve("out").toString(), "--master",
                "local[1]");
        assertEquals(QuantSweep.BAD_INPUT, refused.status(), refused.err());
        assertTrue(refused.err().startsWith("quantsweep: sweep t: variant one cannot run benchmark mc (scoring mc-grammar)"),
                refused.err());
        assertEquals(1, refused.err().lines().count(), refused.err());

        Path bad = Files.writeString(dir.resolve("bad.yaml"), "name: t\nbaseline: one\ncolour: red\n");
        Result invalid = run("eval", "--sweep", bad.toString(), "--out", dir.resolve("o").toString());
        assertEquals(QuantSweep.BAD_INPUT, invalid.status());
        assertTrue(invalid.err().startsWith("quantsweep: " + bad + ":3: unknown key 'colour'"), invalid.err());
        assertEquals(QuantSweep.BAD_INPUT, run("eval", "--out", "x").status());

        // a model the in-process backend cannot read is the sweep's input too
        Path missing = sweep("  - {name: one, gguf: absent.gguf}", "mc-grammar");
        Result absent = run("eval", "--sweep", missing.toString(), "--out", dir.resolve("o2").toString(), "--master",
                "local[1]");
        assertEquals(QuantSweep.BAD_INPUT, absent.status(), absent.err());
        assertTrue(absent.err().contains("variant one: cannot open") && absent.err().contains("absent.gguf"), absent.err());
    }

    @Test
    void pathsAndMastersOfTheWrongKindAreBadInputInOneLine() throws IOException {
        Path file = sweep("  - {name: one, endpoints: [{url: \"http://127.0.0.1:1\", api: llama-server}]}", "mc-grammar");
        Path notFolder = Files.writeString(dir.resolve("exist.txt"), "x");
        assertEquals(new Result(QuantSweep.BAD_INPUT, "", "quantsweep: --out " + notFolder + " is a file, not an output folder\n"),
                run("eval", "--sweep", file.toString(), "--out", notFolder.toString(), "--master", "local[1]"));
        assertEquals(new Result(QuantSweep.BAD_INPUT, "", "quantsweep: " + dir + ": is a directory, not a file\n"),
                run("eval", "--sweep", dir.toString(), "--out", dir.resolve("o").toString()));

        Result master = run("eval", "--sweep", file.toString(), "--out", dir.resolve("o").toString(), "--master", "bogus://x");
        assertEquals(QuantSweep.BAD_INPUT, master.status(), master.err());
        assertTrue(master.err().startsWith("quantsweep: --master bogus://x: Could not parse Master URL"), master.err());
        assertEquals(1, master.err().lines().count(), master.err());
        assertTrue(Files.notExists(dir.resolve("o")));
    }
}
