package io.quantsweep.quantize;

import io.quantsweep.arch.OutputTensor;
import io.quantsweep.format.gguf.Gguf;
import io.quantsweep.format.gguf.GgufPlan;
import io.quantsweep.format.safetensors.SafetensorsCheckpoint;
import io.quantsweep.plan.ModelPlan;
import io.quantsweep.plan.PlannedTensor;
import io.quantsweep.plan.VariantPlan;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.imatrix.ImportanceMatrix;
import io.quantsweep.quant.imatrix.TensorImportance;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;

/**
 * Everything a run does, decided on the driver from the config, the recipes, the importance matrix
 * and the safetensors headers before any weight is read: the variants' plans (every tensor's type and
 * offset in its file), the work units with the type and padding of each variant, the bytes each unit
 * reads and where they live, and the order of the parts in every output file.
 *
 * <p>The parts of a file follow from the plan alone: tensors in the variant's file order, each
 * tensor's units in row order, the last carrying the tensor's padding. {@link #build} checks that
 * this lands every tensor exactly at its planned offset.
 */
public final class QuantizePlan {
    private final ModelPlan model;
    private final List<WorkUnit> units;
    private final List<Map<String, Long>> hostBytes;
    private final List<List<List<Integer>>> parts;
    private final Optional<ImportanceMatrix> imatrix;
    private final Optional<ImportanceCoverage> coverage;
    private final long unitBytes;

    private QuantizePlan(ModelPlan model, List<WorkUnit> units, List<Map<String, Long>> hostBytes,
            List<List<List<Integer>>> parts, Optional<ImportanceMatrix> imatrix, Optional<ImportanceCoverage> coverage,
            long unitBytes) {
        this.model = model;
        this.units = List.copyOf(units);
        this.hostBytes = List.copyOf(hostBytes);
        this.parts = parts;
        this.imatrix = imatrix;
        this.coverage = coverage;
        this.unitBytes = unitBytes;
    }

    /**
     * Cuts the tensors of {@code model} into units of at most {@code unitBytes} of float32 rows.
     *
     * @param inputType the type of the converted file llama-quantize would read ({@link
     *     io.quantsweep.plan.ModelInput#inputType}): a tensor that no variant changes from it is not
     *     looked up in the importance matrix, as in llama-quantize
     * @param ranges the checkpoint's byte ranges and block locations
     * @throws io.quantsweep.quant.imatrix.ImportanceMatrixException for an entry of the wrong size
     */
    public static QuantizePlan build(ModelPlan model, List<OutputTensor> tensors, GgmlType inputType,
            Optional<ImportanceMatrix> imatrix, long unitBytes, SourceRanges ranges) throws IOException {
        List<VariantPlan> variants = model.variants();
        List<Map<String, PlannedTensor>> byName = new ArrayList<>();
        for (VariantPlan v : variants) {
            Map<String, PlannedTensor> m = new HashMap<>();
            v.tensors().forEach(t -> m.put(t.name(), t));
            byName.add(m);
        }
        List<WorkUnit> units = new ArrayList<>();
        List<Map<String, Long>> hosts = new ArrayList<>();
        Map<String, List<Integer>> unitsOf = new HashMap<>();
        Map<String, TensorImportance> lookups = imatrix.map(m -> ImportanceCoverage.lookUp(variants, tensors, inputType, m))
                .orElse(Map.of());
        List<UnitSlicer.Span> spans = UnitSlicer.slice(tensors, unitBytes);
        for (UnitSlicer.Span span : spans) {
            OutputTensor t = tensors.get(span.tensor());
            List<GgmlType> types = new ArrayList<>();
            List<Integer> shards = new ArrayList<>();
            List<Long> padding = new ArrayList<>();
            boolean last = span.row1() == t.rowCount();
            for (int v = 0; v < variants.size(); v++) {
                PlannedTensor p = byName.get(v).get(t.name());
                if (p == null) {
                    throw new IllegalStateException("variant " + variants.get(v).variant() + " has no tensor '" + t.name() + "'");
                }
                types.add(p.type());
                shards.add(p.shard());
                long alignment = variants.get(v).shards().get(p.shard()).alignment();
                padding.add(last ? Gguf.pad(p.bytes(), alignment) - p.bytes() : 0L);
            }
            List<SourceRanges.Range> r = ranges.of(t, span.row0(), span.row1());
            WorkUnit u = new WorkUnit(units.size(), t, span.row0(), span.row1(), importance(lookups.get(t.name()), t, span),
                    SourceRanges.bytes(r), types, shards, padding);
            units.add(u);
            hosts.add(ranges.hostBytes(r));
            unitsOf.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(u.index());
        }
        List<List<List<Integer>>> parts = new ArrayList<>();
        for (int v = 0; v < variants.size(); v++) {
            VariantPlan vp = variants.get(v);
            List<List<Integer>> files = new ArrayList<>();
            long[] position = new long[vp.shards().size()];
            for (int s = 0; s < vp.shards().size(); s++) {
                files.add(new ArrayList<>());
                position[s] = vp.shards().get(s).dataOffset();
            }
            for (PlannedTensor p : vp.tensors()) {
                if (position[p.shard()] != p.fileOffset()) {
                    throw new IllegalStateException("variant %s: parts put tensor '%s' at %d of shard %d, its plan at %d"
                            .formatted(vp.variant(), p.name(), position[p.shard()], p.shard(), p.fileOffset()));
                }
                for (int unit : unitsOf.get(p.name())) {
                    files.get(p.shard()).add(unit);
                    position[p.shard()] += units.get(unit).partBytes(v);
                }
            }
            for (int s = 0; s < position.length; s++) {
                if (position[s] != vp.shards().get(s).fileSize()) {
                    throw new IllegalStateException("variant %s: parts of shard %d end at %d, its plan at %d"
                            .formatted(vp.variant(), s, position[s], vp.shards().get(s).fileSize()));
                }
            }
            parts.add(files);
        }
        return new QuantizePlan(model, units, hosts, parts, imatrix, imatrix.map(m -> ImportanceCoverage.of(m, lookups.values())),
                unitBytes);
    }

    /** The importance vectors of the slices a span covers, or null where the tensor is not weighted. */
    private static float[] importance(TensorImportance ti, OutputTensor t, UnitSlicer.Span span) {
        if (ti == null || !ti.hasWeights()) {
            return null;
        }
        int cols = ti.ne0();
        long sliceRows = UnitSlicer.sliceRows(t);
        int first = Math.toIntExact(span.row0() / sliceRows);
        int last = Math.toIntExact((span.row1() - 1) / sliceRows);
        float[] out = new float[(last - first + 1) * cols];
        for (int s = first; s <= last; s++) {
            System.arraycopy(ti.slice(s), 0, out, (s - first) * cols, cols);
        }
        return out;
    }

    public ModelPlan model() {
        return model;
    }

    /** How the importance matrix covers the tensors this run quantizes; empty without a matrix. */
    public Optional<ImportanceCoverage> coverage() {
        return coverage;
    }

    public List<VariantPlan> variants() {
        return model.variants();
    }

    public List<String> variantNames() {
        return model.variants().stream().map(VariantPlan::variant).toList();
    }

    public List<WorkUnit> units() {
        return units;
    }

    /** Bytes each host holds of unit {@code unit}'s source. */
    public Map<String, Long> hostBytes(int unit) {
        return hostBytes.get(unit);
    }

    /** Checkpoint bytes all units read. */
    public long sourceBytes() {
        long n = 0;
        for (WorkUnit u : units) {
            n += u.sourceBytes();
        }
        return n;
    }

    public long unitBytes() {
        return unitBytes;
    }

    /** The units whose parts make file {@code shard} of variant {@code variant}, in file order. */
    public List<Integer> partsOf(int variant, int shard) {
        return parts.get(variant).get(shard);
    }

    /** The path of file {@code shard} of variant {@code variant} under {@code out}: {@code <variant>/<file name>}. */
    public Path target(Path out, int variant, int shard) {
        VariantPlan v = model.variants().get(variant);
        return new Path(new Path(out, directoryName(v)), v.fileNames().get(shard));
    }

    /** The variant's directory: its name with characters other than letters, digits, {@code . _ -} as {@code _}. */
    static String directoryName(VariantPlan v) {
        return VariantPlan.safe(v.variant());
    }

    /** The assembly job of one file, with the part checksums of {@code records}. */
    public ShardJob shardJob(Path out, PartStore store, int variant, int shard, Map<Integer, UnitRecord> records) {
        VariantPlan v = model.variants().get(variant);
        GgufPlan plan = v.shards().get(shard);
        List<ShardJob.PartRef> refs = new ArrayList<>();
        for (int unit : partsOf(variant, shard)) {
            UnitRecord.Part p = records.get(unit).parts().get(variant);
            refs.add(new ShardJob.PartRef(store.part(variant, unit).toString(), p.bytes(), p.crc32c()));
        }
        return new ShardJob(v.variant(), shard, target(out, variant, shard).toString(),
                store.partsDirectory(variant).toString(), plan.headerBytes(), refs);
    }

    /**
     * SHA-256 over what decides the output bytes beyond the arguments: every file's header (its KVs
     * and tensor table), the units (rows, types, padding, importance vectors) and the headers of the
     * checkpoint tensors they read.
     */
    public String fingerprint(SafetensorsCheckpoint checkpoint) throws IOException {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (VariantPlan v : model.variants()) {
            text(d, v.variant());
            for (int s = 0; s < v.shards().size(); s++) {
                text(d, v.fileNames().get(s));
                d.update(v.shards().get(s).headerBytes());
            }
        }
        ByteBuffer b = ByteBuffer.allocate(64);
        for (WorkUnit u : units) {
            text(d, u.tensor().name());
            b.clear();
            b.putLong(u.row0()).putLong(u.row1()).putLong(u.sourceBytes());
            d.update(b.array(), 0, b.position());
            text(d, u.types() + " " + u.shards() + " " + u.padding());
            if (u.importance() != null) {
                ByteBuffer f = ByteBuffer.allocate(4 * u.importance().length);
                f.asFloatBuffer().put(u.importance());
                d.update(f.array());
            }
        }
        for (String name : sourceTensors()) {
            text(d, checkpoint.shardOf(name) + " " + checkpoint.tensor(name));
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /**
     * The checkpoint files the units read, by name, each with its length and modification time: what
     * tells a file replaced by another of the same header (a new revision of a model with the same
     * shapes, downloaded into the same folder) from the one a run started on, without reading the weights.
     */
    public SortedMap<String, String> sourceFiles(SafetensorsCheckpoint checkpoint) throws IOException {
        SortedMap<String, String> files = new TreeMap<>();
        for (String name : sourceTensors()) {
            String shard = checkpoint.shardOf(name);
            if (!files.containsKey(shard)) {
                files.put(shard, checkpoint.version(shard));
            }
        }
        return files;
    }

    /** The checkpoint tensors the units read, in unit order. */
    private Set<String> sourceTensors() {
        Set<String> sources = new LinkedHashSet<>();
        for (WorkUnit u : units) {
            if (u.row0() == 0) {
                u.tensor().sources().forEach(s -> sources.add(s.tensor()));
            }
        }
        return sources;
    }

    private static void text(MessageDigest d, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        d.update(ByteBuffer.allocate(4).putInt(b.length).array());
        d.update(b);
    }

    public Optional<ImportanceMatrix> imatrix() {
        return imatrix;
    }
}
