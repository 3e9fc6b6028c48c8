package io.quantsweep.report;

/**
 * Every folder and column the report reads, in one place, so that a rename in a writer is a one-line
 * change here (the notebook keeps the same names in its {@code COLUMNS} dict).
 *
 * <p>Layout of an output root {@code DIR}: {@code DIR/quant/} (the quantize job: one folder of GGUF
 * files per variant, {@code _stats/}, {@code _plan/}) and {@code DIR/eval/} (the sweep:
 * {@code samples/}, {@code summary/}, {@code kld/}). Either part may be missing; a sweep that scored no
 * benchmark (kld alone) has no {@code summary/}.
 */
public final class Columns {
    private Columns() {
    }

    /**
     * Folders under the output root, and the tables' folders in the quantize job's and the sweep's own
     * output folders ({@code *_IN_*}).
     */
    public static final class Folders {
        public static final String QUANT = "quant";
        public static final String EVAL = "eval";
        /** Per-tensor quality figures of every variant, written by the quantize job. */
        public static final String STATS_IN_QUANT = "_stats/tensors";
        public static final String TENSOR_STATS = QUANT + "/" + STATS_IN_QUANT;
        /**
         * One row per variant and benchmark (and one weighted average per variant), written by the sweep when
         * it scores a benchmark; earlier versions wrote it without rows when it scored none.
         */
        public static final String SUMMARY_IN_EVAL = "summary";
        public static final String SUMMARY = EVAL + "/" + SUMMARY_IN_EVAL;
        /** Next-token divergence from the baseline per variant and kld benchmark, written by the sweep. */
        public static final String KLD_IN_EVAL = "kld";
        public static final String KLD = EVAL + "/" + KLD_IN_EVAL;

        private Folders() {
        }
    }

    /** {@code quant/_stats/tensors}: one row per variant and tensor ({@code QuantizeTables.TENSOR_STATS_SCHEMA}). */
    public static final class TensorStats {
        public static final String VARIANT = "variant";
        public static final String TENSOR = "tensor";
        /** {@code blk.N}, -1 outside blocks. */
        public static final String LAYER = "layer";
        /** The name without {@code blk.N.} and {@code .weight}, e.g. {@code ffn_down_exps}. */
        public static final String KIND = "kind";
        /** The ggml type written, e.g. {@code Q4_K}. */
        public static final String TYPE = "type";
        public static final String ELEMENTS = "elements";
        public static final String BYTES = "bytes";
        /** sqrt(Σe²/Σx²) over the tensor. */
        public static final String RELATIVE_RMSE = "relative_rmse";

        private TensorStats() {
        }
    }

    /** {@code eval/summary}: one row per variant and benchmark ({@code SummaryRow.SCHEMA}). */
    public static final class Summary {
        public static final String VARIANT = "variant";
        public static final String BENCHMARK = "benchmark";
        /** {@link #KIND_BENCHMARK}, or {@code weighted-average} for the sweep's own aggregate (the report computes its own); optional. */
        public static final String KIND = "kind";
        public static final String KIND_BENCHMARK = "benchmark";
        /** The sweep's baseline variant, the same on every row. */
        public static final String BASELINE = "baseline";
        /** Mean per-item score in [0, 1] (pass@1 over the item's samples). */
        public static final String ACCURACY = "accuracy";
        /** Standard deviation of the k run accuracies (the paper's ±), NaN or null when k &lt; 2; optional. */
        public static final String STD_OVER_SAMPLES = "std_over_samples";
        /** Items evaluated; optional. */
        public static final String ITEMS = "items";
        /** Samples per item k; optional. */
        public static final String SAMPLES_PER_ITEM = "samples_per_item";
        /** Standard error of the accuracy over the items (their per-item scores' standard deviation / √n); optional. */
        public static final String STANDARD_ERROR = "standard_error";
        /** Share of the items with a right sample among their k (pass@k), null when k &lt; 2; optional. */
        public static final String PASS_AT_K = "pass_at_k";
        /** Share of the items whose majority answer over their k is right (cons@k), null when k &lt; 2; optional. */
        public static final String CONS_AT_K = "cons_at_k";
        /** Weight in the weighted average (0 = left out); optional: without it the paper's weights apply. */
        public static final String WEIGHT = "weight";
        /** Exact McNemar p-value against the baseline on the same items; null for the baseline; optional. */
        public static final String MCNEMAR_P = "mcnemar_p_value";

        private Summary() {
        }
    }

    /** {@code eval/kld}: one row per variant and kld benchmark ({@code EvalJob.KLD_SCHEMA}). */
    public static final class Kld {
        public static final String VARIANT = "variant";
        public static final String BENCHMARK = "benchmark";
        /** How many of the baseline's most likely tokens the divergence covers. */
        public static final String TOP_K = "top_k";
        public static final String POSITIONS = "positions";
        /** Mean top-K KL divergence of the variant from the baseline; null when undefined. */
        public static final String MEAN_KL = "mean_kl";
        /** Share of positions where both rank the same token first; null when undefined. */
        public static final String TOP1_AGREEMENT = "top1_agreement";

        private Kld() {
        }
    }
}
