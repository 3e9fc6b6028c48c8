package io.quantsweep.eval.metrics;

import java.io.Serializable;

/**
 * Accuracy of one variant on one benchmark from per-sample right/wrong, with the spreads the summary
 * reports.
 *
 * <p>{@code correct[i][j]} is sample j of item i. Accuracy is the mean over items of each item's share
 * of right samples (pass@1 averaged over its k samples; plain accuracy for k = 1). The paper's ±
 * ({@link #stdOverSamples}) is the sample standard deviation (divisor k − 1) of the k run accuracies,
 * run j being sample j of every item; it needs the same k ≥ 2 for every item, else it is NaN. The
 * standard error is the sample standard deviation of the per-item scores over √n (NaN for n < 2).
 * pass@k, with k every item's number of samples (k ≥ 2, else NaN), is the share of items with at
 * least one right sample ({@link PassAtK} at k = n).
 *
 * @param accuracy       mean per-item score, in [0, 1]
 * @param items          number of items n
 * @param samples        number of samples over all items
 * @param samplesPerItem k when every item has the same number of samples, else 0
 * @param stdOverSamples standard deviation of the k run accuracies, or NaN
 * @param standardError  standard error of the accuracy over items, or NaN
 * @param passAtK        pass@k at k = samplesPerItem, or NaN
 */
public record AccuracySummary(double accuracy, int items, long samples, int samplesPerItem, double stdOverSamples,
        double standardError, double passAtK) implements Serializable {
    /** The summary of {@code correct[item][sample]}; every item needs at least one sample. */
    public static AccuracySummary of(boolean[][] correct) {
        int n = correct.length;
        if (n == 0) {
            throw new IllegalArgumentException("no items");
        }
        double[] itemScore = new double[n];
        long samples = 0;
        int k = correct[0].length;
        for (int i = 0; i < n; i++) {
            if (correct[i].length == 0) {
                throw new IllegalArgumentException("item " + i + " has no sample");
            }
            itemScore[i] = (double) count(correct[i]) / correct[i].length;
            samples += correct[i].length;
            k = correct[i].length == k ? k : 0;
        }
        double accuracy = Stats.mean(itemScore);
        double standardError = n < 2 ? Double.NaN : Stats.sampleStd(itemScore) / Math.sqrt(n);
        double stdOverSamples = Double.NaN;
        double passAtK = Double.NaN;
        if (k >= 2) {
            passAtK = PassAtK.mean(correct, k);
            double[] run = new double[k];
            for (int j = 0; j < k; j++) {
                int right = 0;
                for (boolean[] item : correct) {
                    right += item[j] ? 1 : 0;
                }
                run[j] = (double) right / n;
            }
            stdOverSamples = Stats.sampleStd(run);
        }
        return new AccuracySummary(accuracy, n, samples, k, stdOverSamples, standardError, passAtK);
    }

    private static int count(boolean[] b) {
        int c = 0;
        for (boolean x : b) {
            c += x ? 1 : 0;
        }
        return c;
    }
}
