package io.quantsweep.format.safetensors;

import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.BAD_SCALE;
import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.MISSING_SCALE;
import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.MISSING_SHARD;
import static io.quantsweep.format.safetensors.SafetensorsFormatException.Reason.MISSING_TENSOR;

import io.quantsweep.io.Closeables;
import io.quantsweep.quant.numeric.Fp8BlockScaling;
import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A safetensors checkpoint, one file or shards listed by {@code model.safetensors.index.json}, read
 * row slab by row slab as raw bytes, float32 or integers.
 *
 * <p>The index decides which shard holds a tensor. A shard is opened the first time one of its tensors
 * is needed (its header read and checked, see {@link SafetensorsFile}); it must exist
 * ({@code MISSING_SHARD}) and contain every tensor the index gives it ({@code MISSING_TENSOR}).
 * {@link #validate()} does this for all shards up front.
 *
 * <p>Float reads dequantize FP8 weights: an {@code F8_E4M3} tensor must have an F32
 * {@code <name>_scale_inv} companion, possibly in another shard, and rows are computed by
 * {@link Fp8BlockScaling}; a companion on any other dtype is refused, as the format ties the two.
 * Reads are safe from several threads.
 */
public final class SafetensorsCheckpoint implements Closeable {
    /** The file a single-file checkpoint directory holds. */
    public static final String SINGLE_FILE_NAME = "model.safetensors";

    private final FileSystem fs;
    private final Path location;
    private final Path directory;
    private final Fp8BlockScaling scaling;
    private final Map<String, String> weightMap;
    private final Map<String, List<String>> tensorsByShard = new HashMap<>();
    private final Map<String, SafetensorsFile> openShards = new HashMap<>();

    private SafetensorsCheckpoint(FileSystem fs, Path location, Map<String, String> weightMap, Fp8BlockScaling scaling) {
        this.fs = fs;
        this.location = location;
        this.directory = location.getParent();
        this.scaling = scaling;
        this.weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
        weightMap.forEach((tensor, shard) -> tensorsByShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(tensor));
    }

    /** {@link #open(FileSystem, Path, Fp8BlockScaling)} with DeepSeek-V3's 128×128 blocks. */
    public static SafetensorsCheckpoint open(FileSystem fs, Path path) throws IOException {
        return open(fs, path, Fp8BlockScaling.DEEPSEEK_V3);
    }

    /**
     * Opens a checkpoint: {@code path} is an index file ({@code *.json}), a safetensors file, or a
     * directory holding {@value SafetensorsIndex#FILE_NAME} or else {@value #SINGLE_FILE_NAME}.
     */
    public static SafetensorsCheckpoint open(FileSystem fs, Path path, Fp8BlockScaling scaling) throws IOException {
        FileStatus status = fs.getFileStatus(path);
        if (status.isDirectory()) {
            Path index = new Path(path, SafetensorsIndex.FILE_NAME);
            Path single = new Path(path, SINGLE_FILE_NAME);
            if (fs.exists(index)) {
                return openIndex(fs, index, scaling);
            }
            if (fs.exists(single)) {
                return openFile(fs, single, scaling);
            }
            throw new FileNotFoundException(path + " holds neither " + SafetensorsIndex.FILE_NAME + " nor " + SINGLE_FILE_NAME);
        }
        return path.getName().endsWith(".json") ? openIndex(fs, path, scaling) : openFile(fs, path, scaling);
    }

    private static SafetensorsCheckpoint openIndex(FileSystem fs, Path index, Fp8BlockScaling scaling) throws IOException {
        return new SafetensorsCheckpoint(fs, index, SafetensorsIndex.read(fs, index).weightMap(), scaling);
    }

    private static SafetensorsCheckpoint openFile(FileSystem fs, Path file, Fp8BlockScaling scaling) throws IOException {
        SafetensorsFile f = SafetensorsFile.open(fs, file);
        Map<String, String> weightMap = new LinkedHashMap<>();
        f.tensors().forEach(t -> weightMap.put(t.name(), file.getName()));
        SafetensorsCheckpoint c = new SafetensorsCheckpoint(fs, file, weightMap, scaling);
        c.openShards.put(file.getName(), f);
        return c;
    }

    /** The index file, or the single safetensors file. */
    public Path location() {
        return location;
    }

    /** Every tensor name, scale tensors included, in index (or header) order. */
    public Set<String> tensorNames() {
        return weightMap.keySet();
    }

    /** Shard file names, sorted. */
    public SortedSet<String> shardNames() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(tensorsByShard.keySet()));
    }

    /** @throws NoSuchElementException when the checkpoint has no tensor {@code name} */
    public String shardOf(String name) {
        String shard = weightMap.get(name);
        if (shard == null) {
            throw new NoSuchElementException(location + ": no tensor '" + name + "'");
        }
        return shard;
    }

    /** The file that holds tensor {@code name}: its shard, or the single safetensors file. */
    public Path fileOf(String name) {
        return new Path(directory, shardOf(name));
    }

    /**
     * The length and modification time of shard {@code shardName}, as "N bytes, modified INSTANT": what
     * tells a file replaced by another of the same header, as a re-downloaded revision of a model with
     * the same shapes, from the original.
     */
    public String version(String shardName) throws IOException {
        FileStatus status = fs.getFileStatus(shard(shardName).path());
        return "%,d bytes, modified %s".formatted(status.getLen(), Instant.ofEpochMilli(status.getModificationTime()));
    }

    /** The opened shard {@code shardName}, checked against the index on first use. */
    public synchronized SafetensorsFile shard(String shardName) throws IOException {
        SafetensorsFile f = openShards.get(shardName);
        if (f != null) {
            return f;
        }
        List<String> listed = tensorsByShard.get(shardName);
        if (listed == null) {
            throw new NoSuchElementException(location + ": no shard '" + shardName + "'");
        }
        Path path = new Path(directory, shardName);
        try {
            f = SafetensorsFile.open(fs, path);
        } catch (FileNotFoundException e) {
            throw new SafetensorsFormatException(MISSING_SHARD, location + ": shard " + path + " of "
                    + listed.size() + " tensors (e.g. '" + listed.get(0) + "') does not exist", e);
        }
        for (String tensor : listed) {
            if (f.find(tensor).isEmpty()) {
                f.close();
                throw new SafetensorsFormatException(MISSING_TENSOR, path + ": tensor '" + tensor
                        + "' is listed in " + location + " but not in this shard");
            }
        }
        openShards.put(shardName, f);
        return f;
    }

    /** Opens and checks every shard now rather than on first use. */
    public void validate() throws IOException {
        for (String shard : shardNames()) {
            shard(shard);
        }
    }

    public TensorInfo tensor(String name) throws IOException {
        return shard(shardOf(name)).tensor(name);
    }

    /** Raw little-endian bytes of rows {@code [r0, r1)} (rows as {@link TensorInfo} counts them). */
    public byte[] readRawRows(String name, long r0, long r1) throws IOException {
        return shard(shardOf(name)).readRows(name, r0, r1);
    }

    /** Rows {@code [r0, r1)} as float32; see {@link #readFloatRows(String, long, long, float[], int)}. */
    public float[] readFloatRows(String name, long r0, long r1) throws IOException {
        TensorInfo t = tensor(name);
        float[] dst = new float[t.slabBytes(r0, r1) / t.dtype().byteSize()];
        readFloatRows(name, r0, r1, dst, 0);
        return dst;
    }

    /**
     * Reads rows {@code [r0, r1)} as float32 into {@code dst} from {@code dstOff}: FP8 weights
     * dequantized with their block scales, other floating-point dtypes converted
     * ({@link SafetensorsDtype#toFloats}).
     *
     * @throws IllegalArgumentException for an integer or BOOL tensor (read those with {@link #readLongRows})
     */
    public void readFloatRows(String name, long r0, long r1, float[] dst, int dstOff) throws IOException {
        TensorInfo t = tensor(name);
        int n = t.slabBytes(r0, r1) / t.dtype().byteSize();
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        Optional<TensorInfo> scale = blockScales(name);
        if (scale.isPresent()) {
            readScaledRows(t, scale.get(), r0, r1, dst, dstOff);
            return;
        }
        if (!t.dtype().isFloat()) {
            throw new IllegalArgumentException(location + ": tensor '" + name + "' is " + t.dtype()
                    + ", not floating point");
        }
        t.dtype().toFloats(readRawRows(name, r0, r1), 0, n, dst, dstOff);
    }

    /**
     * The block scales of tensor {@code name}: its {@code _scale_inv}, F32 in the block grid's shape, for an
     * F8_E4M3 weight of 2 dimensions; empty for a tensor of another dtype, which must have none. The planner
     * checks every source with it, so that a missing or malformed scale is refused before any task starts.
     *
     * @throws SafetensorsFormatException ({@code MISSING_SCALE}, {@code BAD_SCALE}) naming the shard and tensor
     */
    public Optional<TensorInfo> blockScales(String name) throws IOException {
        TensorInfo w = tensor(name);
        String scaleName = Fp8BlockScaling.scaleName(name);
        boolean scaled = weightMap.containsKey(scaleName);
        if (w.dtype() != SafetensorsDtype.F8_E4M3) {
            if (scaled) {
                throw failAt(BAD_SCALE, name, "is " + w.dtype() + " but has a scale tensor '" + scaleName
                        + "'; only F8_E4M3 weights are block-scaled");
            }
            return Optional.empty();
        }
        if (!scaled) {
            throw failAt(MISSING_SCALE, name, "is F8_E4M3 but the checkpoint has no '" + scaleName + "'");
        }
        if (w.rank() != 2) {
            throw failAt(BAD_SCALE, name, "is an FP8 weight of shape " + w.shape() + "; block scaling needs 2 dimensions");
        }
        TensorInfo s = tensor(scaleName);
        List<Long> expected = scaling.scaleShape(w.shape().get(0), w.shape().get(1));
        if (s.dtype() != SafetensorsDtype.F32 || !s.shape().equals(expected)) {
            throw failAt(BAD_SCALE, s.name(), "is " + s.dtype() + " " + s.shape() + ", expected F32 " + expected
                    + " for weight " + w.shape() + " in " + scaling.blockRows() + "x" + scaling.blockCols() + " blocks");
        }
        return Optional.of(s);
    }

    private void readScaledRows(TensorInfo w, TensorInfo s, long r0, long r1, float[] dst, int dstOff) throws IOException {
        if (r0 == r1) {
            return;
        }
        long blockRow0 = r0 / scaling.blockRows();
        long blockRow1 = scaling.blockRowEnd(r1);
        float[] scale = new float[s.slabBytes(blockRow0, blockRow1) / Float.BYTES];
        SafetensorsDtype.F32.toFloats(readRawRows(s.name(), blockRow0, blockRow1), 0, scale.length, scale, 0);
        scaling.dequantizeRows(readRawRows(w.name(), r0, r1), 0, r0, (int) (r1 - r0), (int) w.rowLength(),
                scale, (int) s.rowLength(), dst, dstOff);
    }

    /**
     * Rows {@code [r0, r1)} of an integer or BOOL tensor widened to {@code long}
     * ({@link SafetensorsDtype#toLongs}).
     *
     * @throws IllegalArgumentException for a floating-point tensor
     */
    public long[] readLongRows(String name, long r0, long r1) throws IOException {
        TensorInfo t = tensor(name);
        if (t.dtype().isFloat()) {
            throw new IllegalArgumentException(location + ": tensor '" + name + "' is " + t.dtype() + ", not an integer type");
        }
        long[] dst = new long[t.slabBytes(r0, r1) / t.dtype().byteSize()];
        t.dtype().toLongs(readRawRows(name, r0, r1), 0, dst.length, dst, 0);
        return dst;
    }

    private SafetensorsFormatException failAt(SafetensorsFormatException.Reason reason, String tensor, String message) {
        return new SafetensorsFormatException(reason, new Path(directory, shardOf(tensor)) + ": tensor '" + tensor + "' " + message);
    }

    /** Closes every opened shard. */
    @Override
    public synchronized void close() throws IOException {
        try {
            Closeables.closeAll(openShards.values());
        } finally {
            openShards.clear();
        }
    }
}
