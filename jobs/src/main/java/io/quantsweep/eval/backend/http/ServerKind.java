package io.quantsweep.eval.backend.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.eval.backend.Choices;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The inference servers the HTTP backend speaks to, with what differs between them: where the build
 * is reported, how "no top-k" is spelled, and how a choice among fixed answers is constrained.
 */
public enum ServerKind {
    /** llama.cpp's llama-server: build in {@code GET /props} {@code build_info}; GBNF {@code grammar}. */
    LLAMA_SERVER("llama-server", List.of("/props"), "build_info", 0) {
        @Override
        void constrain(ObjectNode body, List<String> choices, String build) {
            body.put("grammar", Choices.gbnf(choices));
        }
    },
    /**
     * vLLM: version in {@code GET /version}; {@code structured_outputs: {choice: [...]}}, which it takes
     * since 0.11, or {@code guided_choice} before that (0.11 takes both). 0.12 removed {@code guided_choice}
     * and answers a request that has it unconstrained, without an error; 0.10.2 ignores
     * {@code structured_outputs} in the same way.
     */
    VLLM("vllm", List.of("/version"), "version", -1) {
        @Override
        void constrain(ObjectNode body, List<String> choices, String build) {
            ArrayNode allowed = olderThan(build, 0, 11) ? body.putArray("guided_choice")
                    : body.putObject("structured_outputs").putArray("choice");
            choices.forEach(allowed::add);
        }
    },
    /**
     * SGLang: version in {@code GET /server_info}, or {@code /get_server_info} in builds before that name
     * (newer ones still answer the old name, logging that it is deprecated); {@code regex}.
     */
    SGLANG("sglang", List.of("/server_info", "/get_server_info"), "version", -1) {
        @Override
        void constrain(ObjectNode body, List<String> choices, String build) {
            body.put("regex", Choices.regex(choices));
        }
    };

    private final String id;
    private final List<String> infoPaths;
    private final String buildField;
    private final int topKOff;

    ServerKind(String id, List<String> infoPaths, String buildField, int topKOff) {
        this.id = id;
        this.infoPaths = infoPaths;
        this.buildField = buildField;
        this.topKOff = topKOff;
    }

    /** The name recorded as {@code ServerInfo.backend}. */
    public String id() {
        return id;
    }

    /** Where the server reports its build, newest name first. */
    List<String> infoPaths() {
        return infoPaths;
    }

    String buildField() {
        return buildField;
    }

    /** The {@code top_k} value that keeps every token. */
    int topKOff() {
        return topKOff;
    }

    /**
     * Turns off the samplers that {@link io.quantsweep.eval.backend.GenerationParams} has no field for, where
     * a server takes their values from its command line (llama-server's {@code --repeat-penalty},
     * {@code --dry-multiplier}, ...) or from the model's generation_config.json (vLLM's and SGLang's
     * {@code repetition_penalty}) when a request leaves them out.
     */
    void neutralSamplers(ObjectNode body) {
        body.put("presence_penalty", 0.0).put("frequency_penalty", 0.0);
        if (this == LLAMA_SERVER) {
            body.put("repeat_penalty", 1.0).put("dry_multiplier", 0.0).put("xtc_probability", 0.0).put("typical_p", 1.0)
                    .put("mirostat", 0).put("top_n_sigma", -1.0).put("dynatemp_range", 0.0).put("ignore_eos", false);
        } else {
            body.put("repetition_penalty", 1.0);
        }
    }

    /** Adds the field that makes the server, of version {@code build}, answer exactly one of {@code choices}. */
    abstract void constrain(ObjectNode body, List<String> choices, String build);

    private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?(?:\\D.*)?");

    /**
     * Whether release {@code build} ({@code 0.11.2}, {@code 0.10.2rc1}, {@code 0.12.0+cu129}) comes before
     * {@code release} (major, minor, patch). A build without a release number is taken as new: {@code dev},
     * or the {@code 0.0.x} / {@code 0.1.devN+g…} that a source checkout without tags reports.
     */
    static boolean olderThan(String build, int... release) {
        Matcher m = VERSION.matcher(build);
        if (!m.matches() || m.group(1).equals("0") && Integer.parseInt(m.group(2)) <= 1) {
            return false;
        }
        for (int i = 0; i < release.length; i++) {
            int part = m.group(i + 1) == null ? 0 : Integer.parseInt(m.group(i + 1));
            if (part != release[i]) {
                return part < release[i];
            }
        }
        return false;
    }

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
