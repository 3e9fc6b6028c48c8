package io.quantsweep.eval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantsweep.eval.bench.BenchmarkSlices;
import io.quantsweep.eval.prompt.Prompt;
import io.quantsweep.eval.score.ModelOutput;
import io.quantsweep.eval.score.Score;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a Spark job ships to executors survives Java serialization unchanged. */
class SerializationTest {
    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    void specsItemsPromptBuildersAndScores() throws Exception {
        SweepSpec sweep = SweepFile.read(Path.of("..", "conf", "sweeps", "r1-llama-server-smoke.yaml"));
        assertEquals(sweep, roundTrip(sweep));
        PreparedBenchmark mmlu = PreparedBenchmark.prepare(sweep.benchmarks().get(0), BenchmarkSlices.dir("mmlu"), 0.0);
        assertEquals(mmlu.items(), roundTrip(mmlu.items()));
        Prompt prompt = mmlu.prompts().build(mmlu.items().get(0));
        assertEquals(prompt, roundTrip(mmlu.prompts()).build(roundTrip(mmlu.items().get(0))));
        assertEquals(prompt, roundTrip(prompt));
        ModelOutput output = new ModelOutput.Generation(" B");
        Score score = sweep.benchmarks().get(0).scoring().score(mmlu.items().get(0), roundTrip(output), false);
        assertEquals(score, roundTrip(score));
    }
}
