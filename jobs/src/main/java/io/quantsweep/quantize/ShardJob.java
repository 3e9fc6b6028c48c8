package io.quantsweep.quantize;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One GGUF file to assemble: its header (padding included) and its parts in planned order, each
 * part with the size and CRC-32C its unit record gives. Concatenated they are the file: every
 * tensor's last part carries the tensor's padding.
 *
 * @param variant the variant's name
 * @param shard the file's 0-based number among the variant's shards
 * @param target the file's final path
 * @param workDirectory where the file is assembled before it is renamed (the variant's parts directory,
 *     as HDFS concat wants sources and target in one directory)
 * @param header the GGUF header bytes, padding included
 * @param parts the parts in file order
 */
public record ShardJob(String variant, int shard, String target, String workDirectory, byte[] header, List<PartRef> parts)
        implements Serializable {

    /** One part: its path, size and CRC-32C. */
    public record PartRef(String path, long bytes, long crc32c) implements Serializable {
    }

    public ShardJob {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(workDirectory, "workDirectory");
        header = header.clone();
        parts = List.copyOf(parts);
    }

    /** The size the assembled file must have. */
    public long fileSize() {
        long n = header.length;
        for (PartRef p : parts) {
            n = Math.addExact(n, p.bytes());
        }
        return n;
    }

    @Override
    public byte[] header() {
        return header.clone();
    }

    @Override
    public String toString() {
        return "%s shard %d -> %s (%d parts, %d bytes)".formatted(variant, shard, target, parts.size(), fileSize());
    }
}
