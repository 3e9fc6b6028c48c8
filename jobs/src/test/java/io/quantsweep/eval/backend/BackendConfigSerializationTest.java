package io.quantsweep.eval.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantsweep.eval.backend.embedded.EmbeddedConfig;
import io.quantsweep.eval.backend.http.Api;
import io.quantsweep.eval.backend.http.ApiKeySource;
import io.quantsweep.eval.backend.http.HttpConfig;
import io.quantsweep.eval.backend.http.ServerKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Configs travel from the driver to executors, and results back, by Java serialization (Spark's default). */
class BackendConfigSerializationTest {

    @SuppressWarnings("unchecked")
    private static <T extends Serializable> T roundTrip(T value) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    void configsAndResultsSurviveSerialization() throws Exception {
        HttpConfig http = HttpConfig.builder(ServerKind.VLLM, Api.CHAT,
                        List.of(URI.create("http://10.0.0.5:8000"), URI.create("http://10.0.0.6:8000")))
                .model("deepseek-v3").apiKey(ApiKeySource.env("VLLM_KEY")).readTimeout(Duration.ofMinutes(30)).build();
        EmbeddedConfig embedded = EmbeddedConfig.of("/models/tiny.gguf").withThreads(4).withCachePrompt(true);
        assertEquals(http, roundTrip(http));
        assertEquals(embedded, roundTrip(embedded));
        assertEquals(http.capabilities(), roundTrip(http.capabilities()));

        Completion c = new Completion("x", 1, FinishReason.STOP, Duration.ofMillis(3), List.of(new TokenLogprob("x", -0.5)), 2);
        assertEquals(c, roundTrip(c));
        ServerInfo info = ServerInfo.of("vllm", "0.9.1", "deepseek-v3", Map.of("api", "/v1/chat/completions"));
        assertEquals(info, roundTrip(info));
        NextTokenDistribution d = new NextTokenDistribution(List.of(new TokenLogprob("A", -0.1)), Duration.ZERO, 1);
        assertEquals(d, roundTrip(d));
    }
}
