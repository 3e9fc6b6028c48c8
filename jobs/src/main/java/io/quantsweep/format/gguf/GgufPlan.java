package io.quantsweep.format.gguf;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The layout of one GGUF file, fixed before any tensor data exists: every tensor's aligned offset,
 * the header bytes (magic through the padding before the data section) and the file size.
 *
 * <p>This is what lets a distributed job write tensor data separately and concatenate: the driver
 * makes the plan, tasks produce each tensor's bytes, and {@link GgufWriter} writes the header and
 * then the data section in plan order, padding each tensor to the alignment.
 *
 * <p>The alignment is {@code general.alignment} when the metadata has it (a UINT32 power of two),
 * else 32. Offsets are dense: {@code offset[0] = 0}, {@code offset[i+1] = offset[i] + PAD(bytes[i])}.
 */
public final class GgufPlan implements Serializable {
    private static final long serialVersionUID = 1L;

    private final GgufMetadata metadata;
    private final List<GgufTensorInfo> tensors;
    private final long alignment;
    private final byte[] header;
    private final long dataSize;

    private GgufPlan(GgufMetadata metadata, List<GgufTensorInfo> tensors, long alignment, byte[] header, long dataSize) {
        this.metadata = metadata;
        this.tensors = tensors;
        this.alignment = alignment;
        this.header = header;
        this.dataSize = dataSize;
    }

    /** Lays out {@code tensors} in the given order behind {@code metadata} (both copied). */
    public static GgufPlan of(GgufMetadata metadata, List<GgufTensorSpec> tensors) {
        GgufMetadata md = new GgufMetadata(metadata);
        long alignment = alignmentOf(md);
        List<GgufTensorInfo> infos = new ArrayList<>(tensors.size());
        Set<String> names = new HashSet<>();
        long offset = 0;
        for (GgufTensorSpec spec : tensors) {
            if (!names.add(spec.name())) {
                throw new IllegalArgumentException("tensor '%s' appears twice in the plan".formatted(spec.name()));
            }
            infos.add(new GgufTensorInfo(spec, offset));
            offset = Math.addExact(offset, Gguf.pad(spec.byteSize(), alignment));
        }
        byte[] header = HeaderEncoder.encode(md, infos, alignment);
        Math.addExact(header.length, offset); // the file size must fit a long
        return new GgufPlan(md, List.copyOf(infos), alignment, header, offset);
    }

    private static long alignmentOf(GgufMetadata md) {
        GgufValue v = md.get(Gguf.KEY_ALIGNMENT).orElse(null);
        if (v == null) {
            return Gguf.DEFAULT_ALIGNMENT;
        }
        if (v.type() != GgufValueType.UINT32 || !Gguf.isValidAlignment(v.asLong())) {
            throw new IllegalArgumentException("%s must be a UINT32 power of two, not %s %s"
                    .formatted(Gguf.KEY_ALIGNMENT, v.type(), v));
        }
        return v.asLong();
    }

    /** The KVs (a copy). */
    public GgufMetadata metadata() {
        return new GgufMetadata(metadata);
    }

    /** Tensor infos in file order, with offsets relative to the data section. */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    public long alignment() {
        return alignment;
    }

    /** Bytes before the data section: the header, including its padding. */
    public long dataOffset() {
        return header.length;
    }

    /** Bytes of the data section: every tensor padded to the alignment. */
    public long dataSize() {
        return dataSize;
    }

    public long fileSize() {
        return header.length + dataSize;
    }

    /** Absolute file position of tensor {@code index}'s data. */
    public long fileOffset(int index) {
        return header.length + tensors.get(index).offset();
    }

    /** The header bytes, padding included (a copy). */
    public byte[] headerBytes() {
        return header.clone();
    }

    /** Writes the header bytes, padding included. */
    public void writeHeader(OutputStream out) throws IOException {
        out.write(header);
    }
}
