package io.quantsweep.quantize;

import io.quantsweep.arch.OutputTensor;
import io.quantsweep.arch.SourceSlice;
import io.quantsweep.format.safetensors.SafetensorsCheckpoint;
import io.quantsweep.format.safetensors.SafetensorsFile;
import io.quantsweep.format.safetensors.TensorInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where a unit's bytes live: the byte ranges of the checkpoint files that rows of an output tensor
 * are read from (the weights; their small FP8 scale tensors are left out), and the hosts that store
 * them, from the file system's block locations. The driver asks the file system once per checkpoint
 * file, not once per unit.
 */
public final class SourceRanges {

    /** {@code length} bytes of {@code file} from {@code offset}. */
    public record Range(Path file, long offset, long length) {
    }

    private final FileSystem fs;
    private final SafetensorsCheckpoint checkpoint;
    private final Map<Path, BlockLocation[]> blocks = new HashMap<>();

    public SourceRanges(FileSystem fs, SafetensorsCheckpoint checkpoint) {
        this.fs = fs;
        this.checkpoint = checkpoint;
    }

    /** The file ranges rows {@code [r0, r1)} of {@code t} are read from (a transposed slice is read whole). */
    public List<Range> of(OutputTensor t, long r0, long r1) throws IOException {
        List<Range> ranges = new ArrayList<>();
        long base = 0;
        for (SourceSlice s : t.sources()) {
            long end = base + s.outputRows();
            long from = Math.max(r0, base);
            long to = Math.min(r1, end);
            if (from < to) {
                SafetensorsFile file = checkpoint.shard(checkpoint.shardOf(s.tensor()));
                TensorInfo info = file.tensor(s.tensor());
                long first = s.transposed() ? s.row0() : s.row0() + from - base;
                long rows = s.transposed() ? s.rowCount() : to - from;
                ranges.add(new Range(file.path(), file.dataStart() + info.begin() + first * info.rowBytes(),
                        rows * info.rowBytes()));
            }
            base = end;
        }
        return ranges;
    }

    /** Bytes of {@code ranges}. */
    public static long bytes(List<Range> ranges) {
        long n = 0;
        for (Range r : ranges) {
            n += r.length();
        }
        return n;
    }

    /** For each host holding a replica of some of {@code ranges}, how many of their bytes it holds (sorted by host). */
    public Map<String, Long> hostBytes(List<Range> ranges) throws IOException {
        Map<String, Long> hosts = new TreeMap<>();
        for (Range r : ranges) {
            for (BlockLocation b : blocks(r.file())) {
                long overlap = Math.min(r.offset() + r.length(), b.getOffset() + b.getLength()) - Math.max(r.offset(), b.getOffset());
                if (overlap > 0) {
                    for (String host : b.getHosts()) {
                        hosts.merge(host, overlap, Long::sum);
                    }
                }
            }
        }
        return hosts;
    }

    private BlockLocation[] blocks(Path file) throws IOException {
        BlockLocation[] b = blocks.get(file);
        if (b == null) {
            b = fs.getFileBlockLocations(fs.getFileStatus(file), 0, Long.MAX_VALUE);
            blocks.put(file, b);
        }
        return b;
    }
}
