package io.quantsweep.report;

import static io.quantsweep.report.Svg.attr;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's charts as inline SVG: size against weighted score with the Pareto front and the
 * deployment budgets, bits per weight by tensor kind, and the error heatmap of one variant with its
 * colour bar. Shapes carry {@code data-*} attributes with their figures, so the page can be checked
 * without reading pixels. Colours: matplotlib's tab10 for categories and viridis for the error (the
 * notebook's defaults).
 */
final class Charts {
    static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf"};
    private static final String OTHER = "#c7c7c7";
    /** Pixels a rotated budget label takes across: lines closer than this share one label. */
    private static final double LABEL_HEIGHT = 12;
    /** viridis at 0, 1/8, …, 1. */
    private static final int[] VIRIDIS = {0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaddc30, 0xfde725};
    /** Kinds drawn in their own colour in the bits chart; the rest share one. */
    static final int NAMED_KINDS = 7;

    private Charts() {
    }

    /** A variant with a size and a weighted score. */
    record Point(String variant, double size, double score, boolean baseline) {
    }

    /** The most weight bytes a deployment target holds, in the chart's unit. */
    record Budget(String target, double size) {
    }

    /** The points no other point beats on both size (smaller or equal) and score (higher or equal), by size. */
    static List<Point> paretoFront(List<Point> points) {
        List<Point> front = new ArrayList<>();
        for (Point p : points) {
            boolean dominated = points.stream().anyMatch(q -> q != p && q.size() <= p.size() && q.score() >= p.score()
                    && (q.size() < p.size() || q.score() > p.score()));
            if (!dominated) {
                front.add(p);
            }
        }
        front.sort(Comparator.comparingDouble(Point::size));
        return front;
    }

    /**
     * Weighted score against size. Budgets beyond twice the largest size are left out (the caller
     * states them in words).
     *
     * @param unit the size unit, e.g. GiB
     * @param baselineScore drawn as a dashed line; NaN for none
     */
    static String sizeScore(List<Point> points, String unit, double baselineScore, String baselineName, List<Budget> budgets) {
        double w = 640;
        double h = 380;
        double ml = 56;
        double mr = 24;
        double mt = 28;
        double mb = 48;
        double maxSize = points.stream().mapToDouble(Point::size).max().orElse(1);
        List<Budget> shown = budgets.stream().filter(b -> b.size() > 0 && b.size() <= 2 * maxSize).toList();
        double xHi = Math.max(maxSize, shown.stream().mapToDouble(Budget::size).max().orElse(0)) * 1.08;
        Axis x = Axis.of(0, xHi, 6);
        double yLo = points.stream().mapToDouble(Point::score).min().orElse(0);
        double yHi = points.stream().mapToDouble(Point::score).max().orElse(1);
        if (!Double.isNaN(baselineScore)) {
            yLo = Math.min(yLo, baselineScore);
            yHi = Math.max(yHi, baselineScore);
        }
        double pad = Math.max(0.5, (yHi - yLo) * 0.15);
        Axis y = Axis.of(Math.max(0, yLo - pad), Math.min(100, yHi + pad), 5);
        Plot plot = new Plot(ml, w - mr, h - mb, mt, x, y);

        Svg svg = new Svg(w, h, "weighted score against size, with the Pareto front and deployment budgets", "chart size-score");
        plot.axes(svg, "size (" + unit + ")", "weighted score (%)");
        if (!Double.isNaN(baselineScore)) {
            svg.line(ml, plot.y(baselineScore), w - mr, plot.y(baselineScore), "baseline-line");
            svg.text(ml + 6, plot.y(baselineScore) - 4, "start", "note", "", "baseline " + baselineName);
        }
        // budgets closer than a label's height (an H100's 79.65 GiB and an A100's 80) share one label, at the smaller
        List<Budget> bySize = shown.stream().sorted(java.util.Comparator.comparingDouble(Budget::size)).toList();
        for (int i = 0; i < bySize.size(); ) {
            double first = bySize.get(i).size();
            List<String> targets = new ArrayList<>();
            for (; i < bySize.size() && plot.x(bySize.get(i).size()) - plot.x(first) < LABEL_HEIGHT; i++) {
                svg.line(plot.x(bySize.get(i).size()), mt, plot.x(bySize.get(i).size()), h - mb, "budget-line");
                targets.add(bySize.get(i).target());
            }
            double bx = plot.x(first);
            String label = String.join(", ", targets);
            svg.text(bx - 4, mt + 2, "end", "budget-label", attr("data-target", label) + attr("data-size", Svg.num(first))
                    + attr("transform", "rotate(-90 " + Svg.num(bx - 4) + " " + Svg.num(mt + 2) + ")"), label);
        }
        List<Point> front = paretoFront(points);
        double[] xy = new double[front.size() * 2];
        for (int i = 0; i < front.size(); i++) {
            xy[2 * i] = plot.x(front.get(i).size());
            xy[2 * i + 1] = plot.y(front.get(i).score());
        }
        svg.polyline(xy, "front");
        List<double[]> placed = new ArrayList<>();
        for (Point p : points) {
            boolean onFront = front.contains(p);
            double px = plot.x(p.size());
            double py = plot.y(p.score());
            svg.circle(px, py, 5, onFront ? PALETTE[0] : "#9a9a9a", attr("class", "point" + (onFront ? " on-front" : ""))
                    + attr("data-variant", p.variant()) + attr("data-size", Svg.num(p.size())) + attr("data-score", Svg.num(p.score())),
                    p.variant() + ": " + Digits.fixed(p.size(), 2) + " " + unit + ", weighted score "
                            + Digits.fixed(p.score(), 2) + (onFront ? " (Pareto front)" : ""));
            placed.add(new double[] {px - 6, py - 6, px + 6, py + 6});
        }
        for (Point p : points) {
            String label = p.variant() + (p.baseline() ? " (baseline)" : "");
            double[] box = labelBox(plot.x(p.size()), plot.y(p.score()), label.length() * 6.6, ml, w - mr, placed);
            placed.add(box);
            svg.text(box[0], box[3] - 3, "start", "point-label", "", label);
        }
        return svg.toString();
    }

    /**
     * Where a point's label goes: the first of right-above, right-below, left-above, left-below that
     * stays inside [left, right] and overlaps no box placed so far (else the first that fits).
     *
     * @return x0, y0, x1, y1 of the label's box
     */
    private static double[] labelBox(double px, double py, double width, double left, double right, List<double[]> placed) {
        double[][] options = {{px + 8, py - 16}, {px + 8, py + 3}, {px - 8 - width, py - 16}, {px - 8 - width, py + 3}};
        double[] fallback = null;
        for (double[] o : options) {
            double[] box = {o[0], o[1], o[0] + width, o[1] + 14};
            if (box[0] < left || box[2] > right) {
                continue;
            }
            fallback = fallback == null ? box : fallback;
            if (placed.stream().noneMatch(b -> b[0] < box[2] && box[0] < b[2] && b[1] < box[3] && box[1] < b[3])) {
                return box;
            }
        }
        return fallback != null ? fallback : new double[] {px + 8, py - 16, px + 8 + width, py - 2};
    }

    /** One variant's bits per weight split by tensor kind: kind → bytes × 8 / the variant's elements. */
    record Bits(String variant, Map<String, Double> byKind) {
        double total() {
            return byKind.values().stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    /**
     * Stacked horizontal bars, one per variant: the {@link #NAMED_KINDS} kinds with the most bits over
     * all variants in their own colours, largest first, the rest as "other".
     */
    static String bitsBreakdown(List<Bits> variants) {
        Map<String, Double> totals = new LinkedHashMap<>();
        variants.forEach(v -> v.byKind().forEach((k, b) -> totals.merge(k, b, Double::sum)));
        List<String> named = totals.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(NAMED_KINDS).map(Map.Entry::getKey).toList();
        boolean hasOther = totals.size() > named.size();
        double w = 640;
        double ml = 120;
        double mr = 56;
        double mt = 8;
        double row = 28;
        double axisH = 34;
        int legendCols = 3;
        int legendItems = named.size() + (hasOther ? 1 : 0);
        double legendH = 20 * ((legendItems + legendCols - 1) / legendCols);
        double h = mt + row * variants.size() + axisH + legendH + 8;
        Axis x = Axis.of(0, variants.stream().mapToDouble(Bits::total).max().orElse(1), 6);
        Plot plot = new Plot(ml, w - mr, mt + row * variants.size(), mt, x, Axis.of(0, 1, 1));

        Svg svg = new Svg(w, h, "bits per weight of each variant by tensor kind", "chart bits");
        plot.xAxis(svg, "bits per weight");
        for (int i = 0; i < variants.size(); i++) {
            Bits v = variants.get(i);
            double y0 = mt + i * row + 4;
            svg.text(ml - 8, y0 + 14, "end", "bar-label", "", v.variant());
            double acc = 0;
            List<String> order = new ArrayList<>(named);
            if (hasOther) {
                order.add(null);
            }
            for (int k = 0; k < order.size(); k++) {
                String kind = order.get(k);
                double bits = kind != null ? v.byKind().getOrDefault(kind, 0.0)
                        : v.byKind().entrySet().stream().filter(e -> !named.contains(e.getKey())).mapToDouble(Map.Entry::getValue).sum();
                if (bits <= 0) {
                    continue;
                }
                String label = kind == null ? "other" : kind;
                svg.rect(plot.x(acc), y0, plot.x(acc + bits) - plot.x(acc), row - 8, kind == null ? OTHER : PALETTE[k],
                        attr("class", "segment") + attr("data-variant", v.variant()) + attr("data-kind", label)
                                + attr("data-bits", Digits.fixed(bits, 4)),
                        v.variant() + ", " + label + ": " + Digits.fixed(bits, 3) + " of " + Digits.fixed(v.total(), 3)
                                + " bits per weight");
                acc += bits;
            }
            svg.text(plot.x(acc) + 4, y0 + 14, "start", "bar-total", "", Digits.fixed(v.total(), 2));
        }
        double ly = mt + row * variants.size() + axisH;
        for (int k = 0; k < legendItems; k++) {
            double lx = ml / 3 + (k % legendCols) * ((w - ml / 3) / legendCols);
            double yy = ly + 20 * (k / legendCols);
            svg.rect(lx, yy, 12, 12, k < named.size() ? PALETTE[k] : OTHER, "", null);
            svg.text(lx + 16, yy + 10, "start", "legend", "", k < named.size() ? named.get(k) : "other");
        }
        return svg.toString();
    }

    /** One heatmap cell: a tensor, or none. */
    record Cell(String tensor, String type, double bitsPerWeight, double relativeRmse) {
    }

    /**
     * The relative RMSE of one variant's tensors, layers down, kinds across, on the shared log colour
     * scale [lo, hi]; exact tensors in grey, absent ones left blank. Layer -1 (outside the blocks) is
     * the row labelled "—".
     *
     * @param cells layer → kind → cell
     */
    static String heatmap(String variant, List<Integer> layers, List<String> kinds, Map<Integer, Map<String, Cell>> cells,
            double lo, double hi) {
        double cw = 14;
        // 8 px rows for DeepSeek's 61 layers (plus the row outside the blocks), taller ones for small models
        double ch = Math.max(8, Math.min(18, 480.0 / layers.size()));
        double ml = 30;
        double mt = 10 + 6 * kinds.stream().mapToInt(String::length).max().orElse(4);
        double w = ml + kinds.size() * cw + 8;
        double h = mt + layers.size() * ch + 6;
        Svg svg = new Svg(w, h, "relative RMSE of " + variant + " by layer and tensor kind", "chart heatmap");
        for (int k = 0; k < kinds.size(); k++) {
            double x = ml + k * cw + cw / 2 + 3;
            svg.text(x, mt - 4, "start", "kind-label", attr("transform", "rotate(-90 " + Svg.num(x) + " " + Svg.num(mt - 4) + ")"),
                    kinds.get(k));
        }
        for (int r = 0; r < layers.size(); r++) {
            int layer = layers.get(r);
            double y = mt + r * ch;
            if (layer < 0 || layer % 5 == 0 || ch > 10) {
                svg.text(ml - 4, y + ch / 2 + 3, "end", "layer-label", "", layer < 0 ? "—" : Integer.toString(layer));
            }
            Map<String, Cell> row = cells.getOrDefault(layer, Map.of());
            for (int k = 0; k < kinds.size(); k++) {
                Cell c = row.get(kinds.get(k));
                if (c == null) {
                    continue;
                }
                String fill = c.relativeRmse() > 0 ? viridis(scale(c.relativeRmse(), lo, hi)) : "#e6e6e6";
                svg.rect(ml + k * cw, y, cw - 1, ch - 1, fill, attr("class", "cell") + attr("data-variant", variant)
                                + attr("data-layer", Integer.toString(layer)) + attr("data-kind", kinds.get(k))
                                + attr("data-rel-rmse", String.format(Locale.ROOT, "%.4g", c.relativeRmse())),
                        c.tensor() + ": " + c.type() + ", " + Digits.fixed(c.bitsPerWeight(), 3)
                                + " bits per weight, relative RMSE " + String.format(Locale.ROOT, "%.3g", c.relativeRmse()));
            }
        }
        return svg.toString();
    }

    /** The colour bar of the heatmaps: relative RMSE from lo to hi on a log scale. */
    static String colorBar(double lo, double hi) {
        double w = 360;
        double h = 46;
        double ml = 12;
        double bw = w - 2 * ml;
        int steps = 64;
        Svg svg = new Svg(w, h, "colour scale of the relative RMSE", "chart colorbar");
        for (int i = 0; i < steps; i++) {
            svg.rect(ml + bw * i / steps, 4, bw / steps + 0.5, 14, viridis((i + 0.5) / steps), "", null);
        }
        double span = Math.log10(hi) - Math.log10(lo);
        List<Double> ticks = new ArrayList<>(List.of(lo));
        for (double d = Math.ceil(Math.log10(lo)); d < Math.log10(hi); d++) {
            if (span > 0 && (d - Math.log10(lo)) / span > 0.2 && (Math.log10(hi) - d) / span > 0.2) {
                ticks.add(Math.pow(10, d));
            }
        }
        if (hi > lo) {
            ticks.add(hi);
        }
        for (double t : ticks) {
            double x = ml + bw * scale(t, lo, hi);
            svg.line(x, 18, x, 22, "tick");
            svg.text(x, 34, t == lo ? "start" : t == hi ? "end" : "middle", "tick-label", "", String.format(Locale.ROOT, "%.2g", t));
        }
        svg.text(w / 2, 45, "middle", "axis-title", "", "relative RMSE (log scale)");
        return svg.toString();
    }

    /** Where v falls in [lo, hi] on a log scale, clamped to [0, 1]; 0.5 when lo = hi. */
    static double scale(double v, double lo, double hi) {
        if (!(hi > lo)) {
            return 0.5;
        }
        double t = (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
        return Math.max(0, Math.min(1, t));
    }

    /** viridis at t in [0, 1], interpolated linearly between its ninths. */
    static String viridis(double t) {
        double p = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
        int i = Math.min((int) p, VIRIDIS.length - 2);
        double f = p - i;
        int a = VIRIDIS[i];
        int b = VIRIDIS[i + 1];
        int rgb = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            double ca = (a >> shift) & 0xff;
            double cb = (b >> shift) & 0xff;
            rgb |= (int) Math.round(ca + (cb - ca) * f) << shift;
        }
        return String.format(Locale.ROOT, "#%06x", rgb);
    }

    /** A linear axis from lo to hi with ticks at 1, 2 or 5 × 10^k. */
    record Axis(double lo, double hi, double step) {
        static Axis of(double lo, double hi, int ticks) {
            double span = hi > lo ? hi - lo : Math.max(Math.abs(hi), 1);
            double raw = span / ticks;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double n = raw / mag;
            double step = (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * mag;
            double a = Math.floor(lo / step) * step;
            double b = Math.ceil(hi / step) * step;
            return new Axis(a, b > a ? b : a + step, step);
        }

        List<Double> ticks() {
            List<Double> out = new ArrayList<>();
            for (long i = 0; lo + i * step <= hi + step * 1e-9; i++) {
                out.add(lo + i * step);
            }
            return out;
        }

        String label(double v) {
            int decimals = (int) Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
            return Digits.fixed(v, decimals);
        }
    }

    /** The data-to-pixel mapping of one plot area and its axes. */
    private record Plot(double left, double right, double bottom, double top, Axis x, Axis y) {
        double x(double v) {
            return left + (v - x.lo()) / (x.hi() - x.lo()) * (right - left);
        }

        double y(double v) {
            return bottom - (v - y.lo()) / (y.hi() - y.lo()) * (bottom - top);
        }

        void xAxis(Svg svg, String title) {
            svg.line(left, bottom, right, bottom, "axis");
            for (double t : x.ticks()) {
                svg.line(x(t), bottom, x(t), bottom + 4, "tick");
                svg.text(x(t), bottom + 16, "middle", "tick-label", "", x.label(t));
            }
            svg.text((left + right) / 2, bottom + 32, "middle", "axis-title", "", title);
        }

        void axes(Svg svg, String xTitle, String yTitle) {
            for (double t : y.ticks()) {
                svg.line(left, y(t), right, y(t), "grid");
                svg.text(left - 6, y(t) + 4, "end", "tick-label", "", y.label(t));
            }
            svg.line(left, top, left, bottom, "axis");
            xAxis(svg, xTitle);
            double cy = (top + bottom) / 2;
            svg.text(14, cy, "middle", "axis-title", attr("transform", "rotate(-90 14 " + Svg.num(cy) + ")"), yTitle);
        }
    }
}
