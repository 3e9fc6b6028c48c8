package io.quantsweep.quant.codec;

/**
 * The last loop of every K-quant and IQ4 type: a sub-block's levels refitted to its decoded scale. {@link #SCALAR} is the
 * loop as ggml writes it; the Vector API codecs pass a {@link KQuantsVector.LaneRefit}, which computes the
 * same element-wise expression in lanes.
 */
interface Refit {
    /** {@code L[lOff+i] = clamp(nint(x[xOff+i] / d), lo, hi) − lo} for {@code i < n} (Q3_K, Q6_K). */
    void symmetric(int n, float[] x, int xOff, float d, int lo, int hi, byte[] L, int lOff);

    /** {@code L[lOff+i] = clamp(nint((x[xOff+i] + m) / d), 0, nmax)} for {@code i < n} (Q2_K, Q4_K, Q5_K). */
    void withMin(int n, int nmax, float[] x, int xOff, float d, float m, byte[] L, int lOff);

    /**
     * {@code L[lOff+i] = best_index_int8(K, id·x[xOff+i])} for {@code i < n}: the index of the nearest of
     * the 16 non-linear levels {@code K} ({@link KQuants#KVALUES_IQ4NL}; IQ4_NL, IQ4_XS).
     */
    void nonLinear(int n, float[] x, int xOff, float id, byte[] L, int lOff);

    /**
     * The sub-block's scale decoded to zero, so its levels {@code L[lOff..lOff+n)} stay those of the search
     * (ggml leaves them); an implementation that kept them elsewhere puts them there now.
     */
    void keep(int n, byte[] L, int lOff);

    /** The scalar loops; the scalar searches write their levels to {@code L} directly. */
    Refit SCALAR = new Refit() {
        @Override
        public void symmetric(int n, float[] x, int xOff, float d, int lo, int hi, byte[] L, int lOff) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = (byte) (KQuants.clamp(KQuants.nearestInt(x[xOff + i] / d), lo, hi) - lo);
            }
        }

        @Override
        public void withMin(int n, int nmax, float[] x, int xOff, float d, float m, byte[] L, int lOff) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = (byte) KQuants.clamp(KQuants.nearestInt((x[xOff + i] + m) / d), 0, nmax);
            }
        }

        @Override
        public void nonLinear(int n, float[] x, int xOff, float id, byte[] L, int lOff) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = (byte) KQuants.bestIndexInt8(16, KQuants.KVALUES_IQ4NL, id * x[xOff + i]);
            }
        }

        @Override
        public void keep(int n, byte[] L, int lOff) {
        }
    };
}
