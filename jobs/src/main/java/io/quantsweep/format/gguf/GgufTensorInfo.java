package io.quantsweep.format.gguf;

import io.quantsweep.quant.GgmlType;
import java.io.Serializable;
import java.util.Objects;

/**
 * A tensor-info record: the tensor's {@link GgufTensorSpec} and its {@code offset}, relative to the
 * start of the data section as in the file (add {@link GgufHeader#dataOffset()} or
 * {@link GgufPlan#dataOffset()} for a file position).
 */
public record GgufTensorInfo(GgufTensorSpec spec, long offset) implements Serializable {

    public GgufTensorInfo {
        Objects.requireNonNull(spec, "spec");
        if (offset < 0) {
            throw new IllegalArgumentException("tensor '%s' has negative offset %d".formatted(spec.name(), offset));
        }
    }

    public String name() {
        return spec.name();
    }

    public GgmlType type() {
        return spec.type();
    }

    /** The dimensions (a copy). */
    public long[] ne() {
        return spec.ne();
    }

    /** Bytes of the tensor data, without padding. */
    public long byteSize() {
        return spec.byteSize();
    }

    /** Offset just past the data, relative to the data section (before padding). */
    public long end() {
        return offset + spec.byteSize();
    }
}
