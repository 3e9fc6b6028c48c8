package io.quantsweep.eval.sweep;

import java.io.Serializable;
import java.net.URI;
import java.util.Objects;

/**
 * One inference server of a variant.
 *
 * @param url         base URL, e.g. {@code http://gpu-a:8080}
 * @param api         the API it speaks
 * @param model       the model name requests carry (empty for llama-server, which serves one)
 * @param concurrency requests in flight at once to this endpoint
 */
public record EndpointSpec(URI url, EndpointApi api, String model, int concurrency) implements Serializable {
    public EndpointSpec {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(model, "model");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be 1 or more, got " + concurrency);
        }
    }
}
