package io.quantsweep.format.gguf;

import io.quantsweep.format.gguf.GgufFormatException.Reason;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything before a GGUF file's data section, as {@link GgufReader} validated it: version, KVs in
 * file order, tensor infos in file order, the alignment in force, where the data section starts
 * and the file size.
 *
 * <p>The typed accessors ({@link #requireString}, {@link #requireInt}) refuse a missing key or a
 * value of another type with MISSING_KEY / WRONG_VALUE_TYPE naming the file.
 */
public record GgufHeader(String source, int version, GgufMetadata metadata, List<GgufTensorInfo> tensors,
                         long alignment, long dataOffset, long fileSize) {

    public GgufHeader {
        Objects.requireNonNull(source, "source");
        metadata = new GgufMetadata(metadata);
        tensors = List.copyOf(tensors);
    }

    /** The KVs (a copy, which the caller may change). */
    @Override
    public GgufMetadata metadata() {
        return new GgufMetadata(metadata);
    }

    public Optional<GgufValue> get(String key) {
        return metadata.get(key);
    }

    public Optional<GgufTensorInfo> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Absolute file position of {@code t}'s data. */
    public long fileOffset(GgufTensorInfo t) {
        return dataOffset + t.offset();
    }

    /** The value of {@code key}, which must exist and have type {@code type}. */
    public GgufValue require(String key, GgufValueType type) throws GgufFormatException {
        GgufValue v = metadata.get(key).orElseThrow(
                () -> new GgufFormatException(Reason.MISSING_KEY, source, -1, "key '" + key + "' is missing"));
        if (v.type() != type) {
            throw new GgufFormatException(Reason.WRONG_VALUE_TYPE, source, -1,
                    "key '%s' is %s, expected %s".formatted(key, v.type(), type));
        }
        return v;
    }

    public String requireString(String key) throws GgufFormatException {
        return require(key, GgufValueType.STRING).asString();
    }

    /** An integer key of exactly {@code type} (UINT64 as raw bits). */
    public long requireInt(String key, GgufValueType type) throws GgufFormatException {
        if (!type.isInteger()) {
            throw new IllegalArgumentException(type + " is not an integer type");
        }
        return require(key, type).asLong();
    }
}
