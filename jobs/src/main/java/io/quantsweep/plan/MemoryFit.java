package io.quantsweep.plan;

import io.quantsweep.arch.MlaLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Whether a variant fits a deployment target at a context length, with one kind of KV cache:
 * <pre>
 * per device = ceil((file bytes + KV cache bytes) / devices) + overhead per device
 * fits       = per device &lt;= device memory
 * </pre>
 * The file bytes stand for the weights (the header is a few MB); weights and cache are assumed to
 * spread evenly over the devices. The overhead is {@link DeploymentTargets#overheadPerDeviceGib()}.
 *
 * @param target the machine
 * @param cache which KV cache
 * @param kept whether llama.cpp keeps that cache for the file's layout; the other cache's fit is a reference
 * @param context tokens of context
 * @param weightBytes the variant's file bytes
 * @param kvBytes the cache's bytes at {@code context}
 * @param overheadPerDevice bytes per device beyond weights and cache
 */
public record MemoryFit(DeploymentTarget target, KvCache.Kind cache, boolean kept, long context, long weightBytes,
                        long kvBytes, long overheadPerDevice) {

    /** 2^30 bytes. */
    public static final double GIB = 1L << 30;

    public MemoryFit {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(cache, "cache");
        if (weightBytes < 0 || kvBytes < 0 || overheadPerDevice < 0) {
            throw new IllegalArgumentException("memory figures must not be negative");
        }
    }

    /** Every target × both caches, targets in order, MLA before FULL, for a file of {@code layout}. */
    public static List<MemoryFit> of(VariantPlan plan, MlaLayout layout, KvCache kv, long context,
                                     DeploymentTargets targets) {
        long overhead = Math.round(targets.overheadPerDeviceGib() * GIB);
        List<MemoryFit> out = new ArrayList<>();
        for (DeploymentTarget t : targets.targets()) {
            for (KvCache.Kind kind : KvCache.Kind.values()) {
                out.add(new MemoryFit(t, kind, kind == KvCache.Kind.keptFor(layout), context, plan.fileBytes(),
                        kv.bytes(kind, context), overhead));
            }
        }
        return out;
    }

    /** Weights, cache and overhead of all devices together. */
    public long totalBytes() {
        return Math.addExact(Math.addExact(weightBytes, kvBytes), Math.multiplyExact(overheadPerDevice, (long) target.devices()));
    }

    /** What each device needs. */
    public long perDeviceBytes() {
        long shared = Math.addExact(weightBytes, kvBytes);
        long devices = target.devices();
        return Math.addExact((shared + devices - 1) / devices, overheadPerDevice);
    }

    public boolean fits() {
        return perDeviceBytes() <= target.deviceBytes();
    }

    /** Device memory left over (negative when it does not fit). */
    public long headroomBytes() {
        return target.deviceBytes() - perDeviceBytes();
    }
}
