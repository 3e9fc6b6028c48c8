package io.quantsweep.eval.prompt;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;

/**
 * Python's {@code random.Random(seed)} for an integer seed, as far as {@code random.sample} needs it:
 * the Mersenne Twister MT19937 seeded by {@code init_by_array} over the seed's 32-bit words, and
 * {@code sample} with CPython's own choice between its two algorithms. lm-evaluation-harness draws a
 * question's exemplars with it, so these must be the same integers CPython gives, call for call.
 */
final class PythonRandom {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER = 0x80000000;
    private static final int LOWER = 0x7fffffff;

    private final int[] mt = new int[N];
    private int index;

    /** {@code random.Random(seed)}: the seed's absolute value, split into 32-bit words, low word first. */
    PythonRandom(long seed) {
        BigInteger magnitude = BigInteger.valueOf(seed).abs();
        int words = Math.max(1, (magnitude.bitLength() + 31) / 32);
        int[] key = new int[words];
        for (int w = 0; w < words; w++) {
            key[w] = magnitude.shiftRight(32 * w).intValue();
        }
        seedByArray(key);
    }

    private void seedByArray(int[] key) {
        mt[0] = 19650218;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        int i = 1;
        int j = 0;
        for (int k = Math.max(N, key.length); k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
            i++;
            j++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if (j >= key.length) {
                j = 0;
            }
        }
        for (int k = N - 1; k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = UPPER; // a nonzero state whatever the key
        index = N;
    }

    /** The next 32 bits of the stream, as an unsigned value in an int. */
    int nextWord() {
        if (index >= N) {
            twist();
        }
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        return y ^ (y >>> 18);
    }

    private void twist() {
        for (int k = 0; k < N; k++) {
            int y = (mt[k] & UPPER) | (mt[(k + 1) % N] & LOWER);
            mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
        }
        index = 0;
    }

    /** {@code _randbelow(n)}: the top bit-length-of-n bits of a word, redrawn while not below n. */
    int below(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("bound must be positive, got " + n);
        }
        int bits = 32 - Integer.numberOfLeadingZeros(n);
        int r;
        do {
            r = nextWord() >>> (32 - bits);
        } while (r >= n);
        return r;
    }

    /**
     * {@code random.sample(range(n), k)}: k distinct indices below n in draw order. CPython shuffles a
     * copy of a small population and rejects repeats in a large one; which is "small" decides which
     * random numbers are consumed, so the threshold is CPython's too.
     */
    int[] sample(int n, int k) {
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("sample of " + k + " from a population of " + n);
        }
        int[] out = new int[k];
        long setSize = 21;
        if (k > 5) {
            setSize += 1L << (2 * (int) Math.ceil(Math.log(k * 3.0) / Math.log(4)));
        }
        if (n <= setSize) {
            int[] pool = new int[n];
            for (int i = 0; i < n; i++) {
                pool[i] = i;
            }
            for (int i = 0; i < k; i++) {
                int j = below(n - i);
                out[i] = pool[j];
                pool[j] = pool[n - i - 1];
            }
        } else {
            Set<Integer> taken = new HashSet<>();
            for (int i = 0; i < k; i++) {
                int j = below(n);
                while (!taken.add(j)) {
                    j = below(n);
                }
                out[i] = j;
            }
        }
        return out;
    }
}
