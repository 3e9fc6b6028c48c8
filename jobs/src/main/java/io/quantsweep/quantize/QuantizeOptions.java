package io.quantsweep.quantize;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.format.gguf.GgufSplit;
import io.quantsweep.gpu.Device;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The arguments of a quantize run.
 *
 * @param model the checkpoint directory (any Hadoop URI)
 * @param variants variant names or recipe files ({@link io.quantsweep.quant.recipe.Recipes#resolve}), in output order
 * @param out the output directory
 * @param imatrix an importance matrix file (GGUF or legacy {@code .dat}), as given
 * @param mla the MLA tensor layout
 * @param split gguf-split's limit per file, or one file per variant
 * @param device where tasks quantize (the bytes are the same everywhere)
 * @param sourcePrecision what the codecs see: the FP8-dequantized float32, or that rounded to BF16
 * @param unitBytes the budget of a unit's float32 rows
 * @param partitions partitions of the unit stage; 0 for four per core of the cluster
 * @param assembly how parts are joined into files
 * @param progressInterval how often the driver prints progress; zero for never
 */
public record QuantizeOptions(String model, List<String> variants, String out, Optional<String> imatrix, MlaLayout mla,
        Optional<GgufSplit.Limit> split, Device device, SourcePrecision sourcePrecision, long unitBytes, int partitions,
        ShardAssembler.Mode assembly, Duration progressInterval) {

    /** 64 MiB of float32: one DeepSeek-V3 expert matrix (2048 × 7168) per unit. */
    public static final long DEFAULT_UNIT_BYTES = 64L << 20;

    /**
     * 1 GiB: a unit's values, and its bytes as F32 (as many), must each fit one Java array, whose length
     * is an int; a task holds about three of them.
     */
    public static final long MAX_UNIT_BYTES = 1L << 30;

    public QuantizeOptions {
        Objects.requireNonNull(model, "model");
        variants = List.copyOf(variants);
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(imatrix, "imatrix");
        Objects.requireNonNull(mla, "mla");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(sourcePrecision, "sourcePrecision");
        Objects.requireNonNull(assembly, "assembly");
        Objects.requireNonNull(progressInterval, "progressInterval");
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("no variants to quantize");
        }
        if (unitBytes < 1 || unitBytes > MAX_UNIT_BYTES || partitions < 0) {
            throw new IllegalArgumentException("unit budget %d (1 to %d) and partitions %d must be positive"
                    .formatted(unitBytes, MAX_UNIT_BYTES, partitions));
        }
    }

    /** The defaults for everything but the model, the variants and the output. */
    public static QuantizeOptions of(String model, List<String> variants, String out) {
        return new QuantizeOptions(model, variants, out, Optional.empty(), MlaLayout.SPLIT, Optional.empty(), Device.AUTO,
                SourcePrecision.BF16, DEFAULT_UNIT_BYTES, 0, ShardAssembler.Mode.AUTO, Duration.ofSeconds(10));
    }

    public QuantizeOptions withImatrix(String file) {
        return new QuantizeOptions(model, variants, out, Optional.of(file), mla, split, device, sourcePrecision, unitBytes,
                partitions, assembly, progressInterval);
    }

    public QuantizeOptions withMla(MlaLayout layout) {
        return new QuantizeOptions(model, variants, out, imatrix, layout, split, device, sourcePrecision, unitBytes,
                partitions, assembly, progressInterval);
    }

    public QuantizeOptions withSplit(GgufSplit.Limit limit) {
        return new QuantizeOptions(model, variants, out, imatrix, mla, Optional.of(limit), device, sourcePrecision, unitBytes,
                partitions, assembly, progressInterval);
    }

    public QuantizeOptions withDevice(Device d) {
        return new QuantizeOptions(model, variants, out, imatrix, mla, split, d, sourcePrecision, unitBytes, partitions,
                assembly, progressInterval);
    }

    public QuantizeOptions withSourcePrecision(SourcePrecision p) {
        return new QuantizeOptions(model, variants, out, imatrix, mla, split, device, p, unitBytes, partitions, assembly,
                progressInterval);
    }

    public QuantizeOptions withUnitBytes(long bytes) {
        return new QuantizeOptions(model, variants, out, imatrix, mla, split, device, sourcePrecision, bytes, partitions,
                assembly, progressInterval);
    }

    public QuantizeOptions withPartitions(int n) {
        return new QuantizeOptions(model, variants, out, imatrix, mla, split, device, sourcePrecision, unitBytes, n,
                assembly, progressInterval);
    }

    public QuantizeOptions withAssembly(ShardAssembler.Mode mode) {
        return new QuantizeOptions(model, variants, out, imatrix, mla, split, device, sourcePrecision, unitBytes,
                partitions, mode, progressInterval);
    }

    public QuantizeOptions withProgressInterval(Duration interval) {
        return new QuantizeOptions(model, variants, out, imatrix, mla, split, device, sourcePrecision, unitBytes,
                partitions, assembly, interval);
    }

    /** The arguments that decide the output bytes, as the run manifest records them. */
    public Map<String, String> manifestParameters(String qualifiedModel, Optional<String> qualifiedImatrix) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("model", qualifiedModel);
        p.put("variants", String.join(",", variants));
        p.put("imatrix", qualifiedImatrix.orElse(""));
        p.put("mla", mla.name().toLowerCase(Locale.ROOT));
        p.put("split", split.map(l -> l.mode().name().toLowerCase(Locale.ROOT) + ":" + l.value()).orElse(""));
        p.put("source-precision", sourcePrecision.label());
        p.put("unit-bytes", Long.toString(unitBytes));
        return p;
    }
}
