package io.quantsweep.plan;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.quantsweep.arch.MlaLayout;
import io.quantsweep.quant.GgmlType;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What {@code quantsweep plan} prints: per variant the tensor table, sizes, bits per weight and the
 * memory fit on every deployment target with both KV caches, as text or as one JSON object.
 *
 * @param input the model the plan was made from
 * @param layout its MLA tensor layout
 * @param plan the variants
 * @param kv the model's KV cache dimensions
 * @param context tokens of context the fits are computed for
 * @param targets the deployment targets and the per-device overhead
 */
public record PlanReport(ModelInput input, MlaLayout layout, ModelPlan plan, KvCache kv, long context,
                         DeploymentTargets targets) {

    public PlanReport {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(kv, "kv");
        Objects.requireNonNull(targets, "targets");
        if (context < 1) {
            throw new IllegalArgumentException("context must be at least one token, not " + context);
        }
    }

    /** The fits of {@code v}: every target × both caches. */
    public List<MemoryFit> fits(VariantPlan v) {
        return MemoryFit.of(v, layout, kv, context, targets);
    }

    /** Text: a model header, per variant (optionally) its tensor table, its totals and fits, then a summary. */
    public void writeText(PrintWriter out, boolean tensorTables) {
        long params = input.mapping().parameterCount();
        out.printf("model %s: %s, %s MLA layout, %d tensors, %,d parameters%n", input.name(),
                input.mapping().config().architecture(), layoutName(),
                input.mapping().tensors().size(), params);
        out.printf("header: %s%n", input.exact() ? "exact (tokenizer read)"
                : "estimated: no tokenizer.json, tokenizer KVs taken as %,d bytes".formatted(input.estimatedTokenizerBytes()));
        out.printf("KV cache at %,d tokens, f16: MLA %s (%d values per token and layer), full %s (%d)%n", context,
                gib(kv.bytes(KvCache.Kind.MLA, context)), kv.valuesPerTokenAndLayer(KvCache.Kind.MLA),
                gib(kv.bytes(KvCache.Kind.FULL, context)), kv.valuesPerTokenAndLayer(KvCache.Kind.FULL));
        out.printf("per device = (file + KV cache) / devices + %s GiB overhead%n", trim(targets.overheadPerDeviceGib()));
        for (VariantPlan v : plan.variants()) {
            out.printf("%n== %s (base %s, general.file_type %d = %s) ==%n", v.variant(), v.base(), v.fileType().id(),
                    v.fileType().name());
            if (tensorTables) {
                tensorTable(out, v);
            }
            out.printf("tensor data %,d bytes (%s), file %,d bytes (%s), %.3f bits per weight%n", v.tensorBytes(),
                    gib(v.tensorBytes()), v.fileBytes(), gib(v.fileBytes()), v.bitsPerWeight());
            out.printf("types: %s%n", histogram(v.histogram()));
            out.printf("files: %s%n", String.join(", ", v.fileNames()));
            if (!v.idleRules().isEmpty()) {
                out.printf("warning: rules that decide no tensor of this model: %s%n", String.join(", ", v.idleRules()));
            }
            for (MemoryFit f : fits(v)) {
                out.printf("  %-24s %-4s cache %9s  per device %9s of %s GiB  %s%n", f.target().name(),
                        f.cache().name(), gib(f.kvBytes()), gib(f.perDeviceBytes()), trim(f.target().memoryGib()),
                        !f.kept() ? "(not the cache of a " + layoutName() + " file)" : f.fits() ? "fits" : "does not fit");
            }
        }
        summary(out);
        out.flush();
    }

    private static void tensorTable(PrintWriter out, VariantPlan v) {
        int width = v.tensors().stream().mapToInt(t -> t.name().length()).max().orElse(4);
        String row = "%5s  %-" + width + "s  %-22s  %-6s  %15s  %s%n";
        out.printf(row, "#", "name", "shape", "type", "bytes", "decided by");
        for (int i = 0; i < v.tensors().size(); i++) {
            PlannedTensor t = v.tensors().get(i);
            String why = t.decidedBy() + (t.fellBack() ? " (" + t.chosen() + ", row fallback)" : "");
            out.printf(row, i, t.name(), Arrays.toString(t.ne()), t.type(), "%,d".formatted(t.bytes()), why);
        }
    }

    private void summary(PrintWriter out) {
        out.printf("%nGiB per device with the MLA / full cache, ! where it does not fit, in parentheses the cache llama.cpp "
                + "does not keep for a %s file%n", layoutName());
        StringBuilder head = new StringBuilder("%-10s %10s %7s".formatted("variant", "file", "bpw"));
        for (DeploymentTarget t : targets.targets()) {
            head.append("  %-20s".formatted(t.name()));
        }
        out.println(head.toString().stripTrailing());
        for (VariantPlan v : plan.variants()) {
            StringBuilder row = new StringBuilder("%-10s %10s %7.3f".formatted(v.variant(), gib(v.fileBytes()), v.bitsPerWeight()));
            List<MemoryFit> fits = fits(v);
            for (int i = 0; i < fits.size(); i += 2) {
                row.append("  %-20s".formatted(cell(fits.get(i)) + " / " + cell(fits.get(i + 1))));
            }
            out.println(row.toString().stripTrailing());
        }
    }

    private static String cell(MemoryFit f) {
        String gib = "%.1f".formatted(f.perDeviceBytes() / MemoryFit.GIB);
        return !f.kept() ? "(" + gib + ")" : f.fits() ? gib : gib + "!";
    }

    private String layoutName() {
        return layout.name().toLowerCase(Locale.ROOT);
    }

    /** JSON: one object with the model, the cache, the targets and a {@code variants} array. */
    public void writeJson(PrintWriter out) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("model", input.name());
            g.writeStringField("architecture", input.mapping().config().architecture());
            g.writeStringField("mla_layout", layoutName());
            g.writeNumberField("tensors", input.mapping().tensors().size());
            g.writeNumberField("parameters", input.mapping().parameterCount());
            g.writeBooleanField("header_exact", input.exact());
            g.writeNumberField("estimated_tokenizer_bytes", input.estimatedTokenizerBytes());
            g.writeNumberField("context", context);
            g.writeObjectFieldStart("kv_cache");
            for (KvCache.Kind k : KvCache.Kind.values()) {
                String p = k.name().toLowerCase(Locale.ROOT);
                g.writeNumberField(p + "_values_per_token_layer", kv.valuesPerTokenAndLayer(k));
                g.writeNumberField(p + "_bytes", kv.bytes(k, context));
            }
            g.writeEndObject();
            g.writeNumberField("overhead_per_device_gib", targets.overheadPerDeviceGib());
            g.writeArrayFieldStart("variants");
            for (VariantPlan v : plan.variants()) {
                variantJson(g, v);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        out.println();
        out.flush();
    }

    private void variantJson(JsonGenerator g, VariantPlan v) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", v.variant());
        g.writeStringField("base", v.base());
        g.writeNumberField("file_type", v.fileType().id());
        g.writeStringField("file_type_name", v.fileType().name());
        g.writeNumberField("tensor_bytes", v.tensorBytes());
        g.writeNumberField("header_bytes", v.headerBytes());
        g.writeNumberField("file_bytes", v.fileBytes());
        g.writeNumberField("gib", v.fileBytes() / MemoryFit.GIB);
        g.writeNumberField("bpw", v.bitsPerWeight());
        g.writeObjectFieldStart("histogram");
        for (Map.Entry<GgmlType, Integer> e : v.histogram().entrySet()) {
            g.writeNumberField(e.getKey().name(), e.getValue());
        }
        g.writeEndObject();
        g.writeArrayFieldStart("idle_rules");
        for (String rule : v.idleRules()) {
            g.writeString(rule);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("files");
        for (int s = 0; s < v.shards().size(); s++) {
            g.writeStartObject();
            g.writeStringField("name", v.fileNames().get(s));
            g.writeNumberField("bytes", v.shards().get(s).fileSize());
            g.writeNumberField("tensors", v.shards().get(s).tensors().size());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("fits");
        for (MemoryFit f : fits(v)) {
            g.writeStartObject();
            g.writeStringField("target", f.target().name());
            g.writeNumberField("devices", f.target().devices());
            g.writeNumberField("memory_gib", f.target().memoryGib());
            g.writeStringField("cache", f.cache().name().toLowerCase(Locale.ROOT));
            g.writeBooleanField("kept", f.kept());
            g.writeNumberField("kv_bytes", f.kvBytes());
            g.writeNumberField("per_device_bytes", f.perDeviceBytes());
            g.writeNumberField("per_device_gib", f.perDeviceBytes() / MemoryFit.GIB);
            g.writeBooleanField("fits", f.fits());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("tensors");
        for (PlannedTensor t : v.tensors()) {
            g.writeStartObject();
            g.writeStringField("name", t.name());
            g.writeFieldName("shape");
            long[] ne = t.ne();
            g.writeArray(ne, 0, ne.length);
            g.writeStringField("type", t.type().name());
            g.writeStringField("chosen_type", t.chosen().name());
            g.writeStringField("decision", t.decision().name());
            g.writeStringField("decided_by", t.decidedBy());
            g.writeNumberField("bytes", t.bytes());
            g.writeStringField("file", v.fileNames().get(t.shard()));
            g.writeNumberField("offset", t.fileOffset());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static String histogram(Map<GgmlType, Integer> h) {
        return h.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String gib(long bytes) {
        return "%.2f GiB".formatted(bytes / MemoryFit.GIB);
    }

    /** {@code d} to two decimals, without trailing zeros: 64, 4.5, 79.65 (an H100's 79.6474609375 GiB). */
    static String trim(double d) {
        return BigDecimal.valueOf(d).setScale(2, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }
}
