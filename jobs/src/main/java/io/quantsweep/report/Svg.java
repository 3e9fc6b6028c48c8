package io.quantsweep.report;

import java.util.Locale;

/**
 * A small SVG writer for the report's charts: a {@code viewBox} that scales to its container, shapes
 * with optional tooltips ({@code <title>}) and {@code data-*} attributes, text, and XML escaping.
 * Coordinates are written with two decimals.
 */
final class Svg {
    private final StringBuilder b = new StringBuilder();

    /**
     * @param label what the chart shows, for screen readers
     * @param cssClass the chart's class
     */
    Svg(double width, double height, String label, String cssClass) {
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(num(width)).append(' ').append(num(height))
                .append("\" role=\"img\" class=\"").append(escape(cssClass)).append("\" aria-label=\"").append(escape(label))
                .append("\" style=\"max-width:").append(num(width)).append("px\">");
    }

    /**
     * A rectangle.
     *
     * @param attributes further attributes, already escaped ({@link #attr}), or ""
     * @param tooltip a {@code <title>}, or null for none
     */
    Svg rect(double x, double y, double w, double h, String fill, String attributes, String tooltip) {
        b.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"").append(num(w))
                .append("\" height=\"").append(num(h)).append("\" fill=\"").append(fill).append('"').append(attributes);
        return close("rect", tooltip);
    }

    Svg circle(double cx, double cy, double r, String fill, String attributes, String tooltip) {
        b.append("<circle cx=\"").append(num(cx)).append("\" cy=\"").append(num(cy)).append("\" r=\"").append(num(r))
                .append("\" fill=\"").append(fill).append('"').append(attributes);
        return close("circle", tooltip);
    }

    Svg line(double x1, double y1, double x2, double y2, String cssClass) {
        b.append("<line x1=\"").append(num(x1)).append("\" y1=\"").append(num(y1)).append("\" x2=\"").append(num(x2))
                .append("\" y2=\"").append(num(y2)).append("\" class=\"").append(cssClass).append("\"/>");
        return this;
    }

    /** A polyline through {@code xy} = x0, y0, x1, y1, …. */
    Svg polyline(double[] xy, String cssClass) {
        b.append("<polyline class=\"").append(cssClass).append("\" points=\"");
        for (int i = 0; i < xy.length; i += 2) {
            b.append(i == 0 ? "" : " ").append(num(xy[i])).append(',').append(num(xy[i + 1]));
        }
        b.append("\"/>");
        return this;
    }

    /**
     * Text at (x, y).
     *
     * @param anchor start, middle or end
     * @param attributes further attributes, already escaped, or ""
     */
    Svg text(double x, double y, String anchor, String cssClass, String attributes, String content) {
        b.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" text-anchor=\"").append(anchor)
                .append("\" class=\"").append(cssClass).append('"').append(attributes).append('>').append(escape(content))
                .append("</text>");
        return this;
    }

    @Override
    public String toString() {
        return b + "</svg>";
    }

    private Svg close(String element, String tooltip) {
        if (tooltip == null) {
            b.append("/>");
        } else {
            b.append("><title>").append(escape(tooltip)).append("</title></").append(element).append('>');
        }
        return this;
    }

    /** {@code  name="value"} with the value escaped. */
    static String attr(String name, String value) {
        return " " + name + "=\"" + escape(value) + "\"";
    }

    /** A coordinate or size: two decimals, no trailing zeros. */
    static String num(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        return s.equals("-0") ? "0" : s;
    }

    /** Text escaped for XML and HTML content and attribute values. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
