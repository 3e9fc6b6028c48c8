package io.quantsweep.report;

import static io.quantsweep.report.Svg.attr;
import static io.quantsweep.report.Svg.escape;

import io.quantsweep.plan.DeploymentTarget;
import io.quantsweep.plan.MemoryFit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The report as one self-contained HTML page: inline CSS and SVG, no script and nothing fetched, laid
 * out for a phone as well as a desktop (viewport meta, charts that scale, tables that scroll
 * sideways). Sections appear for what the output root holds: the scores table and the next-token
 * divergence (sweep), sizes and deployment fit, bits per weight by tensor kind and the error heatmaps
 * (quantize), size against score (both). The page has no date, so the same folder gives the same bytes.
 */
public final class HtmlReport {
    private static final String CSS = """
            :root{--fg:#1d1d1f;--muted:#5f6368;--line:#d9d9de;--bg:#fff;--head:#f4f4f6}
            *{box-sizing:border-box}
            body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",sans-serif;color:var(--fg);background:var(--bg)}
            main{max-width:1080px;margin:0 auto;padding:12px 14px 40px}
            h1{font-size:1.45rem;margin:.4rem 0}
            h2{font-size:1.15rem;margin:2rem 0 .6rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}
            p{margin:.4rem 0}
            code{font-size:.92em}
            .note,.meta{color:var(--muted);font-size:.88rem}
            .scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.4rem 0;border:1px solid var(--line);border-radius:6px}
            table{border-collapse:separate;border-spacing:0;font-variant-numeric:tabular-nums;white-space:nowrap;font-size:.92rem}
            th,td{padding:5px 9px;line-height:20px;border-bottom:1px solid var(--line);text-align:right}
            thead th{background:var(--head);font-weight:600}
            tbody th{text-align:left;font-weight:500;position:sticky;left:0;background:var(--bg)}
            thead th:first-child{text-align:left;position:sticky;left:0}
            tr.aggregate th,tr.aggregate td{font-weight:600;background:#fafafa}
            tr.aggregate:first-of-type th,tr.aggregate:first-of-type td{border-top:2px solid var(--line)}
            .pm{color:var(--muted);font-size:.85em}
            sup.sig{color:#b3261e;font-weight:700;margin-left:1px;line-height:0}
            td.fits{color:#1e6b34}td.short{color:#b3261e}
            figure{margin:.6rem 0}
            .wide{overflow-x:auto;-webkit-overflow-scrolling:touch}
            .wide svg{min-width:540px}
            figcaption{font-size:.9rem;margin:.2rem 0 .3rem;font-weight:600}
            svg{display:block;width:100%;height:auto}
            svg text{font-family:inherit;font-size:11px;fill:var(--fg)}
            svg .axis-title{font-size:12px}
            svg .tick-label,svg .note,svg .layer-label,svg .kind-label{fill:var(--muted)}
            svg .kind-label{font-size:10px}
            svg .layer-label{font-size:8px}
            svg .axis,svg .tick{stroke:#888;stroke-width:1}
            svg .grid{stroke:#eee;stroke-width:1}
            svg .front{fill:none;stroke:#1f77b4;stroke-width:1.5;stroke-dasharray:none}
            svg .baseline-line{stroke:#d62728;stroke-width:1;stroke-dasharray:5 4}
            svg .budget-line{stroke:#2ca02c;stroke-width:1.2;stroke-dasharray:3 3}
            svg .budget-label{fill:#2ca02c}
            svg .point-label{font-size:11.5px}
            .grid2{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:18px 22px}
            .grid2 svg{max-width:460px}
            """;

    private final Analysis analysis;
    private final List<Analysis.Variant> variants;
    private final StringBuilder html = new StringBuilder();

    private HtmlReport(Analysis analysis) {
        this.analysis = analysis;
        this.variants = analysis.variants();
    }

    /** The page for {@code analysis}. */
    public static String render(Analysis analysis) {
        return new HtmlReport(analysis).page();
    }

    private String page() {
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>QuantSweep report</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<main>\n")
                .append("<h1>QuantSweep report</h1>\n<p class=\"meta\">Read from <code>")
                .append(String.join("</code> and <code>", analysis.folders().stream().map(Svg::escape).toList()))
                .append("</code>: ").append(analysis.quant().isPresent() ? "quantization statistics" : "no quantization statistics")
                .append(", ").append(analysis.eval().isPresent() ? "a sweep summary" : "no sweep summary")
                .append(analysis.kld().isPresent() ? ", next-token divergence" : "").append(".</p>\n");
        Optional<PaperTable> table = analysis.eval().map(e -> PaperTable.of(e, variants.stream()
                .flatMap(v -> v.evalName().stream()).toList()));
        table.ifPresent(this::scores);
        analysis.kld().ifPresent(this::divergence);
        analysis.quant().ifPresent(q -> {
            table.ifPresent(t -> sizeScore(q, t));
            sizes(q, table);
            bits(q);
            errors(q);
        });
        html.append("</main>\n</body>\n</html>\n");
        return html.toString();
    }

    private void scores(PaperTable t) {
        SweepSummary e = analysis.eval().orElseThrow();
        Map<String, String> display = displayNames();
        html.append("<section id=\"scores\">\n<h2>Benchmark scores</h2>\n<div class=\"scroll\"><table class=\"scores\">\n<thead><tr><th>Benchmark</th>");
        for (String v : t.variants()) {
            html.append("<th>").append(escape(display.get(v))).append(v.equals(t.baseline()) ? " <span class=\"pm\">(baseline)</span>" : "")
                    .append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (String b : t.benchmarks()) {
            html.append("<tr class=\"benchmark\"").append(attr("data-benchmark", b)).append("><th>").append(escape(b)).append("</th>");
            for (String v : t.variants()) {
                Optional<SweepSummary.Score> s = e.score(v, b);
                html.append("<td").append(attr("data-variant", display.get(v))).append(s.map(HtmlReport::extent).orElse(""))
                        .append('>');
                if (s.isEmpty()) {
                    html.append("–");
                } else {
                    html.append(Digits.fixed(100 * s.get().accuracy(), 2));
                    if (!Double.isNaN(s.get().std())) {
                        html.append(" <span class=\"pm\">±").append(Digits.fixed(100 * s.get().std(), 2)).append("</span>");
                    }
                    String marks = PaperTable.marks(s.get().pValue());
                    if (!marks.isEmpty()) {
                        html.append("<sup class=\"sig\"").append(attr("title", "McNemar p = " + fmt("%.3g", s.get().pValue())))
                                .append('>').append(marks).append("</sup>");
                    }
                }
                html.append("</td>");
            }
            html.append("</tr>\n");
        }
        aggregateRow("Average", "average", t.variants(), t.average(), "");
        aggregateRow("Weighted avg.", "weighted", t.variants(), t.weighted(), "");
        aggregateRow("Accuracy drop", "drop", t.variants(), t.drop(), "%");
        html.append("</tbody></table></div>\n<p class=\"note\">Scores in percent, ± the standard deviation of the accuracy")
                .append(" over the k runs where each item has k ≥ 2 samples; a score's title gives its items and standard error.")
                .append(" <sup class=\"sig\">*</sup> p &lt; ").append(PaperTable.SIGNIFICANT)
                .append(", <sup class=\"sig\">**</sup> p &lt; ").append(PaperTable.HIGHLY_SIGNIFICANT)
                .append(": exact McNemar test against the baseline ").append(escape(display.get(t.baseline())))
                .append(" on each item's first sample. Weighted average with ")
                .append(t.paperWeights() ? "the paper's weights (arXiv 2505.02390: AIME 0.4; MATH-500, GPQA, MBPP, MBPP+, LiveCodeBench 1;"
                        + " MMLU, CMMLU, C-Eval 2; other benchmarks left out)" : "the sweep's weights (" + escape(weights(e)) + ")")
                .append(". Accuracy drop: the relative drop of the weighted average against the baseline's over the same benchmarks;")
                .append(" negative when the variant scores higher.").append(gaps(t, display)).append(itemCounts(t, e, display))
                .append(t.weighted().getOrDefault(t.baseline(), Double.NaN) == 0
                        ? " The baseline's weighted average is 0, from which no relative drop can be taken." : "")
                .append("</p>\n</section>\n");
    }

    /** The benchmarks on which the variants' summaries count different numbers of items, which a sweep never writes. */
    private static String itemCounts(PaperTable t, SweepSummary e, Map<String, String> display) {
        List<String> uneven = new ArrayList<>();
        for (String b : t.benchmarks()) {
            Map<String, Long> items = new LinkedHashMap<>();
            t.variants().forEach(v -> e.score(v, b).filter(s -> s.items() >= 0).ifPresent(s -> items.put(display.get(v), s.items())));
            if (items.values().stream().distinct().count() > 1) {
                uneven.add(b + " (" + items.entrySet().stream().map(i -> i.getKey() + ": " + i.getValue() + " items")
                        .collect(Collectors.joining(", ")) + ")");
            }
        }
        return uneven.isEmpty() ? "" : " Scores not over the same items, which compare different questions: "
                + escape(String.join("; ", uneven)) + ".";
    }

    /** A score's items, samples, pass@k, cons@k and standard error as its cell's title, where the summary has them. */
    private static String extent(SweepSummary.Score s) {
        List<String> parts = new ArrayList<>();
        if (s.items() >= 0) {
            parts.add(s.items() + " items" + (s.samplesPerItem() > 1 ? " × " + s.samplesPerItem() + " samples" : ""));
        }
        if (!Double.isNaN(s.passAtK()) && s.samplesPerItem() > 1) {
            parts.add("pass@" + s.samplesPerItem() + " " + Digits.fixed(100 * s.passAtK(), 2));
        }
        if (!Double.isNaN(s.consAtK()) && s.samplesPerItem() > 1) {
            parts.add("cons@" + s.samplesPerItem() + " " + Digits.fixed(100 * s.consAtK(), 2));
        }
        if (!Double.isNaN(s.standardError())) {
            parts.add("standard error " + Digits.fixed(100 * s.standardError(), 2));
        }
        return parts.isEmpty() ? "" : attr("title", String.join(", ", parts));
    }

    /** Why some averages are –: the variants without every benchmark, or nothing. */
    private static String gaps(PaperTable t, Map<String, String> display) {
        String gaps = t.variants().stream().filter(v -> !t.missing().get(v).isEmpty())
                .map(v -> display.get(v) + " (missing: " + String.join(", ", t.missing().get(v)) + ")").collect(Collectors.joining(", "));
        return gaps.isEmpty() ? "" : " A variant without every benchmark gets no average (nor a weighted average when a benchmark"
                + " it misses has a weight): it would be over other benchmarks than the others'. " + escape(gaps) + ".";
    }

    private void divergence(Divergence d) {
        Map<String, String> names = new LinkedHashMap<>();
        variants.forEach(v -> names.put(Analysis.key(v.name()), v.name()));
        html.append("<section id=\"kld\">\n<h2>Next-token divergence from the baseline</h2>\n<div class=\"scroll\"><table class=\"kld\">\n")
                .append("<thead><tr><th>Variant</th><th>Benchmark</th><th>Positions</th><th>Top-K</th><th>Mean KL</th>")
                .append("<th>Top-1 agreement</th></tr></thead>\n<tbody>\n");
        for (Divergence.Row r : d.rows()) {
            String name = names.getOrDefault(Analysis.key(r.variant()), r.variant());
            html.append("<tr").append(attr("data-variant", name)).append(attr("data-benchmark", r.benchmark())).append("><th>")
                    .append(escape(name)).append("</th><td>").append(escape(r.benchmark())).append("</td><td>").append(r.positions())
                    .append("</td><td>").append(r.topK()).append("</td><td>")
                    .append(Double.isNaN(r.meanKl()) ? "–" : Digits.fixed(r.meanKl(), 4)).append("</td><td>")
                    .append(Double.isNaN(r.top1Agreement()) ? "–" : Digits.fixed(100 * r.top1Agreement(), 2) + "%").append("</td></tr>\n");
        }
        html.append("</tbody></table></div>\n<p class=\"note\">Mean KL divergence of each variant's next-token distribution from")
                .append(" the baseline's over the baseline's top-K tokens, and the share of positions where both rank the same token")
                .append(" first.</p>\n</section>\n");
    }

    private void aggregateRow(String label, String cssName, List<String> order, Map<String, Double> values, String unit) {
        html.append("<tr class=\"aggregate\"").append(attr("data-row", cssName)).append("><th>").append(label).append("</th>");
        for (String v : order) {
            double x = values.get(v);
            html.append("<td>").append(Double.isNaN(x) ? "–" : Digits.fixed(x, 2) + unit).append("</td>");
        }
        html.append("</tr>\n");
    }

    private void sizeScore(QuantStats q, PaperTable t) {
        Unit unit = Unit.of(q);
        List<Charts.Point> points = new ArrayList<>();
        List<String> unscored = new ArrayList<>();
        for (Analysis.Variant v : variants) {
            if (v.statsName().isPresent() && v.evalName().isPresent()) {
                double score = t.weighted().get(v.evalName().get());
                if (Double.isNaN(score)) {
                    unscored.add(v.name());
                } else {
                    points.add(new Charts.Point(v.name(), unit.of(q.bytes(v.statsName().get())), score,
                            v.evalName().get().equals(t.baseline())));
                }
            }
        }
        String notDrawn = unscored.isEmpty() ? "" : " Not drawn, without a weighted score: " + escape(String.join(", ", unscored)) + ".";
        html.append("<section id=\"size-score\">\n<h2>Size and score</h2>\n");
        if (points.isEmpty()) {
            html.append("<p class=\"note\">No variant has both tensor statistics and a weighted score.").append(notDrawn)
                    .append("</p>\n</section>\n");
            return;
        }
        List<Charts.Budget> budgets = analysis.targets().targets().stream()
                .map(d -> new Charts.Budget(d.name(), unit.of(budgetBytes(d)))).toList();
        html.append("<figure class=\"wide\">").append(Charts.sizeScore(points, unit.name(), t.weighted().get(t.baseline()),
                displayNames().get(t.baseline()), budgets)).append("</figure>\n");
        double maxSize = points.stream().mapToDouble(Charts.Point::size).max().orElseThrow();
        String far = budgets.stream().filter(b -> b.size() > 2 * maxSize).map(Charts.Budget::target).collect(Collectors.joining(", "));
        html.append("<p class=\"note\">Tensor data against the weighted score; the blue line joins the Pareto front (no other variant")
                .append(" is both smaller and better). Green dashed lines: the most weights plus KV cache each deployment target holds")
                .append(" (").append(budgetRule()).append(").")
                .append(far.isEmpty() ? "" : " Beyond twice the largest variant, not drawn: " + escape(far) + ".").append(notDrawn)
                .append("</p>\n</section>\n");
    }

    private void sizes(QuantStats q, Optional<PaperTable> t) {
        Unit unit = Unit.of(q);
        List<DeploymentTarget> targets = analysis.targets().targets();
        html.append("<section id=\"sizes\">\n<h2>Sizes and deployment fit</h2>\n<div class=\"scroll\"><table class=\"sizes\">\n<thead><tr>")
                .append("<th>Variant</th><th>Tensor data</th><th>Bits/weight</th>").append(t.isPresent() ? "<th>Weighted score</th>" : "");
        targets.forEach(d -> html.append("<th>").append(escape(d.name())).append(" <span class=\"pm\">GiB left</span></th>"));
        html.append("<th>Worst tensor (relative RMSE)</th></tr></thead>\n<tbody>\n");
        for (Analysis.Variant v : variants) {
            if (v.statsName().isEmpty()) {
                continue;
            }
            String s = v.statsName().get();
            long bytes = q.bytes(s);
            QuantStats.Tensor worst = q.worst(s);
            html.append("<tr").append(attr("data-variant", v.name())).append("><th>").append(escape(v.name())).append("</th><td>")
                    .append(Digits.fixed(unit.of(bytes), 2)).append(' ').append(unit.name()).append("</td><td>")
                    .append(Digits.fixed(q.bitsPerWeight(s), 3)).append("</td>");
            t.ifPresent(p -> {
                Double score = v.evalName().map(p.weighted()::get).orElse(Double.NaN);
                html.append("<td>").append(Double.isNaN(score) ? "–" : Digits.fixed(score, 2)).append("</td>");
            });
            for (DeploymentTarget d : targets) {
                double left = (budgetBytes(d) - bytes) / MemoryFit.GIB;
                html.append("<td class=\"").append(left >= 0 ? "fits" : "short").append("\">").append(Digits.signed(left, 1)).append("</td>");
            }
            html.append("<td>").append(escape(worst.name())).append(" <span class=\"pm\">").append(escape(worst.type())).append(", ")
                    .append(fmt("%.3g", worst.relativeRmse())).append("</span></td></tr>\n");
        }
        html.append("</tbody></table></div>\n<p class=\"note\">Tensor data: the GGUF files less their headers. Per target: the GiB left")
                .append(" for the KV cache once the weights are loaded, negative when the weights alone do not fit (").append(budgetRule())
                .append("). For scale: DeepSeek-V3's compressed MLA cache in llama.cpp takes 2.1 GiB at 32K tokens of context, a full")
                .append(" f16 K/V cache 152.5 GiB.</p>\n</section>\n");
    }

    private void bits(QuantStats q) {
        List<Analysis.Variant> quantized = variants.stream().filter(v -> v.statsName().isPresent()).toList();
        List<Charts.Bits> bits = new ArrayList<>();
        Map<String, Map<String, QuantStats.KindTotal>> kinds = new LinkedHashMap<>();
        for (Analysis.Variant v : quantized) {
            String s = v.statsName().get();
            double elements = q.elements(s);
            Map<String, Double> byKind = new LinkedHashMap<>();
            for (QuantStats.KindTotal k : q.byKind(s)) {
                byKind.put(k.kind(), k.bytes() * 8 / elements);
                kinds.computeIfAbsent(k.kind(), x -> new LinkedHashMap<>()).put(v.name(), k);
            }
            bits.add(new Charts.Bits(v.name(), byKind));
        }
        html.append("<section id=\"bits\">\n<h2>Bits per weight by tensor kind</h2>\n<figure class=\"wide\">").append(Charts.bitsBreakdown(bits))
                .append("</figure>\n<p class=\"note\">Each bar is a variant's bits per weight over all its tensors, split by the kind of")
                .append(" tensor they are spent on. The table gives each kind's own bits per weight and its types.</p>\n")
                .append("<div class=\"scroll\"><table class=\"kinds\">\n<thead><tr><th>Tensor kind</th>");
        quantized.forEach(v -> html.append("<th>").append(escape(v.name())).append("</th>"));
        html.append("</tr></thead>\n<tbody>\n");
        kinds.keySet().stream().sorted().forEach(kind -> {
            html.append("<tr").append(attr("data-kind", kind)).append("><th>").append(escape(kind)).append("</th>");
            for (Analysis.Variant v : quantized) {
                QuantStats.KindTotal k = kinds.get(kind).get(v.name());
                html.append("<td>");
                if (k == null) {
                    html.append("–");
                } else {
                    html.append(Digits.fixed(k.bitsPerWeight(), 2)).append(" <span class=\"pm\">")
                            .append(escape(types(q.tensors(v.statsName().get()), kind))).append("</span>");
                }
                html.append("</td>");
            }
            html.append("</tr>\n");
        });
        html.append("</tbody></table></div>\n</section>\n");
    }

    private void errors(QuantStats q) {
        double[] range = q.errorRange();
        html.append("<section id=\"errors\">\n<h2>Quantization error by layer and tensor kind</h2>\n");
        if (Double.isNaN(range[0])) {
            html.append("<p class=\"note\">Every tensor of every variant is exact.</p>\n</section>\n");
            return;
        }
        List<Integer> layers = q.layers();
        List<String> kinds = q.lossyKinds();
        html.append("<figure>").append(Charts.colorBar(range[0], range[1])).append("</figure>\n<div class=\"grid2\">\n");
        for (Analysis.Variant v : variants) {
            if (v.statsName().isEmpty()) {
                continue;
            }
            Map<Integer, Map<String, Charts.Cell>> cells = new LinkedHashMap<>();
            q.cells(v.statsName().get()).forEach((layer, row) -> {
                Map<String, Charts.Cell> r = new LinkedHashMap<>();
                row.forEach((kind, t) -> r.put(kind, new Charts.Cell(t.name(), t.type(), t.bytes() * 8.0 / t.elements(), t.relativeRmse())));
                cells.put(layer, r);
            });
            html.append("<figure").append(attr("data-variant", v.name())).append("><figcaption>").append(escape(v.name()))
                    .append("</figcaption>").append(Charts.heatmap(v.name(), layers, kinds, cells, range[0], range[1])).append("</figure>\n");
        }
        html.append("</div>\n<p class=\"note\">Relative RMSE (√(Σe²/Σx²) of the dequantized weights against the source) of every")
                .append(" tensor, one row per layer (— : tensors outside the blocks), one column per kind of tensor; grey: stored exactly.")
                .append(" Kinds that are exact in every variant (norms, router) are left out. Hover or tap a cell for its type.</p>\n</section>\n");
    }

    /** Summary name → report name. */
    private Map<String, String> displayNames() {
        Map<String, String> out = new LinkedHashMap<>();
        variants.forEach(v -> v.evalName().ifPresent(e -> out.put(e, v.name())));
        return out;
    }

    private long budgetBytes(DeploymentTarget d) {
        return Math.round(d.devices() * (d.memoryGib() - analysis.targets().overheadPerDeviceGib()) * MemoryFit.GIB);
    }

    private String budgetRule() {
        return "devices × (memory − " + Digits.fixed(analysis.targets().overheadPerDeviceGib(), 1)
                + " GiB overhead per device), from <code>conf/deployment-targets.yaml</code>";
    }

    private static String weights(SweepSummary e) {
        return e.weights().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(w -> w.getKey() + " " + java.math.BigDecimal.valueOf(w.getValue()).stripTrailingZeros().toPlainString()).collect(Collectors.joining(", "));
    }

    /** The distinct types of a kind's tensors, by count, most first: e.g. {@code Q3_K×44 Q4_K×12 Q6_K×2}. */
    private static String types(List<QuantStats.Tensor> tensors, String kind) {
        Map<String, Long> counts = tensors.stream().filter(t -> t.kind().equals(kind))
                .collect(Collectors.groupingBy(QuantStats.Tensor::type, Collectors.counting()));
        if (counts.size() == 1) {
            return counts.keySet().iterator().next();
        }
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(c -> c.getKey() + "×" + c.getValue()).collect(Collectors.joining(" "));
    }

    private static String fmt(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }

    /** GiB for variants of a GiB or more, else MiB. */
    private record Unit(String name, double bytes) {
        static Unit of(QuantStats q) {
            long max = q.variants().stream().mapToLong(q::bytes).max().orElse(0);
            return max >= MemoryFit.GIB ? new Unit("GiB", MemoryFit.GIB) : new Unit("MiB", 1 << 20);
        }

        double of(long b) {
            return b / bytes;
        }
    }
}
