package io.quantsweep.eval.backend.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.eval.backend.Choices;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The inference servers the HTTP backend speaks to, with what differs between them: where the build
 * is reported, how "no top-k" is spelled, and how a choice among fixed answers is constrained.
 */
public enum ServerKind {
    /** llama.cpp's llama-server: build in {@code GET /props} {@code build_info}; GBNF {@code grammar}. */
    LLAMA_SERVER("llama-server", "/props", "build_info", 0) {
        @Override
        void constrain(ObjectNode body, List<String> choices) {
            body.put("grammar", Choices.gbnf(choices));
        }
    },
    /** vLLM: version in {@code GET /version}; {@code guided_choice}. */
    VLLM("vllm", "/version", "version", -1) {
        @Override
        void constrain(ObjectNode body, List<String> choices) {
            choices.forEach(body.putArray("guided_choice")::add);
        }
    },
    /** SGLang: version in {@code GET /get_server_info}; {@code regex}. */
    SGLANG("sglang", "/get_server_info", "version", -1) {
        @Override
        void constrain(ObjectNode body, List<String> choices) {
            body.put("regex", Choices.regex(choices));
        }
    };

    private final String id;
    private final String infoPath;
    private final String buildField;
    private final int topKOff;

    ServerKind(String id, String infoPath, String buildField, int topKOff) {
        this.id = id;
        this.infoPath = infoPath;
        this.buildField = buildField;
        this.topKOff = topKOff;
    }

    /** The name recorded as {@code ServerInfo.backend}. */
    public String id() {
        return id;
    }

    String infoPath() {
        return infoPath;
    }

    String buildField() {
        return buildField;
    }

    /** The {@code top_k} value that keeps every token. */
    int topKOff() {
        return topKOff;
    }

    /** Adds the field that makes the server answer exactly one of {@code choices}. */
    abstract void constrain(ObjectNode body, List<String> choices);

    /** The kind with this name ({@link #id()}). */
    public static ServerKind parse(String id) {
        for (ServerKind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown server '" + id + "', one of "
                + Arrays.stream(values()).map(ServerKind::id).collect(Collectors.joining(", ")));
    }
}
