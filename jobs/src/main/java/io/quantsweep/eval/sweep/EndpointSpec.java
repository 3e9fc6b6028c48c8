package io.quantsweep.eval.sweep;

import io.quantsweep.eval.backend.http.ServerKind;
import java.io.Serializable;
import java.net.URI;
import java.util.Objects;

/**
 * One inference server of a variant.
 *
 * @param url         base URL, e.g. {@code http://gpu-a:8080}
 * @param server      the server software (llama-server, vLLM, SGLang)
 * @param api         the API it speaks
 * @param model       the model name requests carry (empty for llama-server, which serves one)
 * @param concurrency requests in flight at once to this endpoint
 */
public record EndpointSpec(URI url, ServerKind server, EndpointApi api, String model, int concurrency)
        implements Serializable {
    public EndpointSpec {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(model, "model");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be 1 or more, got " + concurrency);
        }
    }
}
