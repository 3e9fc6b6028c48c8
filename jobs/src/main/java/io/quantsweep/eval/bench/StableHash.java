package io.quantsweep.eval.bench;

import java.nio.charset.StandardCharsets;

/**
 * A 64-bit hash of a seed and a text that is the same on every JVM, run and executor (unlike
 * {@code String.hashCode} mixing or {@code Map.of} order): 64-bit FNV-1a of the UTF-8 bytes, xor the
 * seed, through SplitMix64's finaliser. Deterministic draws (exemplars, item subsets, sample seeds) are
 * orderings by this hash.
 */
public final class StableHash {
    private StableHash() {
    }

    public static long of(long seed, String text) {
        return mix(seed ^ fnv1a(text));
    }

    static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finaliser: spreads every input bit over the output. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
