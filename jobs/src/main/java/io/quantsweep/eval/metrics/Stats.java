package io.quantsweep.eval.metrics;

/** Means and standard deviations in index order, shared by the metrics. */
final class Stats {
    private Stats() {
    }

    static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** Standard deviation with divisor n − 1; needs n ≥ 2. */
    static double sampleStd(double[] x) {
        double m = mean(x);
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        return Math.sqrt(ss / (x.length - 1));
    }
}
