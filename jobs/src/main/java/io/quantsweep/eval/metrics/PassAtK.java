package io.quantsweep.eval.metrics;

/**
 * The unbiased pass@k estimator of Chen et al. (HumanEval): for an item with n samples of which c are
 * right, pass@k = 1 − C(n − c, k) / C(n, k), computed as 1 − ∏_{i = n − c + 1}^{n} (1 − k / i) so that no
 * binomial coefficient is formed. pass@1 reduces to c / n, the per-item score of {@link AccuracySummary}.
 */
public final class PassAtK {
    private PassAtK() {
    }

    /** pass@k of one item with {@code n} samples, {@code c} right; needs 1 ≤ k ≤ n. */
    public static double of(int n, int c, int k) {
        if (n < 1 || c < 0 || c > n || k < 1 || k > n) {
            throw new IllegalArgumentException("pass@k needs 0 <= c <= n and 1 <= k <= n, got n=%d c=%d k=%d"
                    .formatted(n, c, k));
        }
        if (n - c < k) {
            return 1.0;
        }
        double allWrong = 1.0;
        for (int i = n - c + 1; i <= n; i++) {
            allWrong *= 1.0 - (double) k / i;
        }
        return 1.0 - allWrong;
    }

    /** Mean pass@k over items, {@code correct[item][sample]}. */
    public static double mean(boolean[][] correct, int k) {
        if (correct.length == 0) {
            throw new IllegalArgumentException("no items");
        }
        double sum = 0;
        for (boolean[] item : correct) {
            int c = 0;
            for (boolean x : item) {
                c += x ? 1 : 0;
            }
            sum += of(item.length, c, k);
        }
        return sum / correct.length;
    }
}
