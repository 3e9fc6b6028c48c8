package io.quantsweep.eval.metrics;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Compares a variant's next-token distribution with the baseline's at the same position when a backend
 * gives only its top-K tokens (llama-server's {@code n_probs}), not the full vocabulary.
 *
 * <h2>The top-K approximation</h2>
 * KL(P‖Q) is computed over a coarser partition: each of the baseline's K listed tokens is its own
 * outcome and every other token is merged into one "other" outcome. P is exact on that partition (the
 * listed probabilities, and 1 − their sum for "other"). Q takes the variant's listed probability for a
 * baseline token where the variant lists it; a baseline token the variant does not list gets an equal
 * share of the variant's unlisted mass r = 1 − Σ(variant's listed), split among the m missing tokens
 * and "other" (r / (m + 1) each), capped at the variant's smallest listed probability (a token outside
 * a top-K list cannot be more likely than its last entry); Q("other") is what remains. Merging outcomes
 * never increases KL, so with exact masses this is a lower bound of the full-vocabulary KL; the estimate
 * of missing tokens is the only guess. Probabilities of Q are floored at {@value #FLOOR} so that a
 * token the variant all but rules out gives a large, finite KL. We do not renormalise over the union of
 * the two lists: that would drop the mass outside both lists and can make two different
 * distributions look identical.
 *
 * <p>Top-1 agreement compares the most probable listed token of each side (ties: the
 * lexicographically first token). The baseline token's log-probability change is ln Q(t*) − ln P(t*)
 * for the baseline's top token t*, with Q(t*) estimated as above when the variant does not list it.
 */
public final class TopKDivergence {
    /** Smallest probability Q may take, so that KL stays finite. */
    public static final double FLOOR = 1e-10;
    /** Tolerance for listed masses a little above 1 from rounding in a backend. */
    private static final double MASS_SLACK = 1e-6;

    private TopKDivergence() {
    }

    /**
     * One position compared.
     *
     * @param kl                 KL(P‖Q) in nats over the partition described in the class comment
     * @param top1Agrees         whether both sides' most probable listed token is the same
     * @param baseTokenLogprobDelta ln Q(t*) − ln P(t*) for the baseline's top token t*
     * @param baseTokenEstimated whether Q(t*) was estimated because the variant does not list t*
     */
    public record Position(double kl, boolean top1Agrees, double baseTokenLogprobDelta, boolean baseTokenEstimated)
            implements Serializable {
    }

    /**
     * Means over positions.
     *
     * @param positions       number of positions
     * @param meanKl          mean KL(P‖Q) in nats
     * @param top1Agreement   share of positions whose top tokens agree
     * @param meanLogprobDelta mean change of the baseline token's log-probability
     */
    public record Summary(int positions, double meanKl, double top1Agreement, double meanLogprobDelta)
            implements Serializable {
        public static Summary of(List<Position> positions) {
            if (positions.isEmpty()) {
                return new Summary(0, Double.NaN, Double.NaN, Double.NaN);
            }
            double kl = 0;
            double delta = 0;
            int agree = 0;
            for (Position p : positions) {
                kl += p.kl();
                delta += p.baseTokenLogprobDelta();
                agree += p.top1Agrees() ? 1 : 0;
            }
            int n = positions.size();
            return new Summary(n, kl / n, (double) agree / n, delta / n);
        }
    }

    /**
     * Compares two top-K lists, token text (or id) to natural-log probability, at the same position.
     */
    public static Position compare(Map<String, Double> baselineTopK, Map<String, Double> variantTopK) {
        if (baselineTopK.isEmpty() || variantTopK.isEmpty()) {
            throw new IllegalArgumentException("both top-K lists need at least one token");
        }
        // sums run in token order, so the result does not depend on the maps' iteration order
        SortedMap<String, Double> baseline = new TreeMap<>(baselineTopK);
        SortedMap<String, Double> variant = new TreeMap<>(variantTopK);
        double baseListed = listedMass(baseline, "baseline");
        double variantListed = listedMass(variant, "variant");
        double variantMin = variant.values().stream().mapToDouble(Math::exp).min().orElseThrow();
        Set<String> missing = new HashSet<>(baseline.keySet());
        missing.removeAll(variant.keySet());
        double unlisted = Math.max(0.0, 1.0 - variantListed);
        double estimate = Math.min(unlisted / (missing.size() + 1), variantMin);

        double kl = 0;
        double qOnBase = 0;
        for (Map.Entry<String, Double> e : baseline.entrySet()) {
            double p = Math.exp(e.getValue());
            double q = variant.containsKey(e.getKey()) ? Math.exp(variant.get(e.getKey())) : estimate;
            qOnBase += q;
            kl += term(p, q);
        }
        kl += term(Math.max(0.0, 1.0 - baseListed), Math.max(0.0, 1.0 - qOnBase));

        String top = top(baseline);
        double qTop = variant.containsKey(top) ? Math.exp(variant.get(top)) : estimate;
        return new Position(kl, top.equals(top(variant)), Math.log(Math.max(qTop, FLOOR)) - baseline.get(top),
                !variant.containsKey(top));
    }

    private static double term(double p, double q) {
        return p == 0 ? 0.0 : p * Math.log(p / Math.max(q, FLOOR));
    }

    private static double listedMass(Map<String, Double> topK, String side) {
        double mass = 0;
        for (Map.Entry<String, Double> e : topK.entrySet()) {
            if (Double.isNaN(e.getValue()) || e.getValue() > MASS_SLACK) {
                throw new IllegalArgumentException(side + " token '" + e.getKey() + "' has log-probability "
                        + e.getValue());
            }
            mass += Math.exp(e.getValue());
        }
        if (mass > 1.0 + MASS_SLACK) {
            throw new IllegalArgumentException(side + " top-K probabilities sum to " + mass + ", above 1");
        }
        return mass;
    }

    private static String top(Map<String, Double> topK) {
        String best = null;
        for (Map.Entry<String, Double> e : topK.entrySet()) {
            if (best == null || e.getValue() > topK.get(best)
                    || (e.getValue().equals(topK.get(best)) && e.getKey().compareTo(best) < 0)) {
                best = e.getKey();
            }
        }
        return best;
    }
}
