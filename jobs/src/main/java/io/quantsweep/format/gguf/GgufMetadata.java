package io.quantsweep.format.gguf;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The KV pairs of a GGUF file in file order.
 *
 * <p>{@link #put} follows ggml's {@code gguf_set_*}: it removes the key and appends it at the end,
 * so re-setting a key moves it last. This is what makes llama-quantize and gguf-split output
 * reproducible byte for byte (spec §1.2, §7, §8).
 */
public final class GgufMetadata implements Serializable {
    private static final long serialVersionUID = 1L;

    private final LinkedHashMap<String, GgufValue> entries = new LinkedHashMap<>();

    public GgufMetadata() {
    }

    /** A copy of {@code other}, in its order. */
    public GgufMetadata(GgufMetadata other) {
        entries.putAll(other.entries);
    }

    /** Removes {@code key} if present and appends it with {@code value}. */
    public GgufMetadata put(String key, GgufValue value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("GGUF keys must not be empty");
        }
        entries.remove(key);
        entries.put(key, value);
        return this;
    }

    /** Removes {@code key}; returns whether it was present. */
    public boolean remove(String key) {
        return entries.remove(key) != null;
    }

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    public boolean contains(String key) {
        return entries.containsKey(key);
    }

    public int size() {
        return entries.size();
    }

    /** Keys in file order. */
    public List<String> keys() {
        return List.copyOf(entries.keySet());
    }

    /** An unmodifiable view of the entries in file order. */
    public Map<String, GgufValue> asMap() {
        return Collections.unmodifiableMap(entries);
    }

    @Override
    public boolean equals(Object o) {
        // order is part of the file, so it is part of equality
        return o instanceof GgufMetadata m && new ArrayList<>(entries.entrySet()).equals(new ArrayList<>(m.entries.entrySet()));
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
