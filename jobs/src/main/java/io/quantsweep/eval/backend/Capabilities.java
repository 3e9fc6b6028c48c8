package io.quantsweep.eval.backend;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a backend supports. {@link #require} turns a sweep that asks for more into a refusal before
 * any prompt is sent.
 */
public record Capabilities(Set<Capability> supported) implements Serializable {

    public Capabilities {
        supported = Set.copyOf(supported);
    }

    public static Capabilities of(Capability... supported) {
        return new Capabilities(Set.of(supported));
    }

    public boolean supports(Capability capability) {
        return supported.contains(capability);
    }

    /**
     * Refuses unless every one of {@code needed} is supported.
     *
     * @param backend names the backend in the message, e.g. "embedded-llama.cpp v0.5.0-de3ff81"
     */
    public void require(String backend, Capability... needed) throws BackendException {
        Set<Capability> missing = new TreeSet<>();
        Arrays.stream(needed).filter(c -> !supports(c)).forEach(missing::add);
        if (!missing.isEmpty()) {
            throw refusal(backend, missing);
        }
    }

    /** The MISSING_CAPABILITY refusal for {@code missing}, naming the backend and what it does support. */
    public BackendException refusal(String backend, Set<Capability> missing) {
        String what = new TreeSet<>(missing).stream().map(c -> c.name() + " (" + c.description() + ")")
                .collect(Collectors.joining(", "));
        return new BackendException(BackendException.Reason.MISSING_CAPABILITY,
                "backend %s cannot %s; it supports %s. Use a backend that can (the http backend can do all of them) or leave that out of the sweep"
                        .formatted(backend, what, new TreeSet<>(supported)));
    }
}
