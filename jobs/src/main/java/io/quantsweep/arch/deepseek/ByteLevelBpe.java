package io.quantsweep.arch.deepseek;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Byte-level BPE as GPT-2 defined it: every byte is first written as one printable character
 * ({@link #byteChar}; printable Latin-1 bytes as themselves, the others as U+0100 upwards, so a space
 * is {@code Ġ} and a newline {@code Ċ}), then a learned list of merges joins adjacent symbols.
 *
 * <p>{@link #train} learns merges from weighted words, deterministically: each step merges the most
 * frequent adjacent pair, ties going to the smaller pair in string order.
 */
final class ByteLevelBpe {
    private static final char[] BYTE_CHARS = new char[256];

    static {
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_CHARS[b] = printable ? (char) b : (char) next++;
        }
    }

    private ByteLevelBpe() {
    }

    /** The character byte {@code b} is written as. */
    static char byteChar(int b) {
        return BYTE_CHARS[b & 0xFF];
    }

    /** The 256 byte tokens in GPT-2's order: printable bytes first (as DeepSeek's vocabulary lists them), then the rest. */
    static List<String> byteTokens() {
        List<String> out = new ArrayList<>(256);
        for (int b = 0; b < 256; b++) {
            if (BYTE_CHARS[b] == b) {
                out.add(String.valueOf(BYTE_CHARS[b]));
            }
        }
        for (int b = 0; b < 256; b++) {
            if (BYTE_CHARS[b] != b) {
                out.add(String.valueOf(BYTE_CHARS[b]));
            }
        }
        return out;
    }

    /** {@code text}'s UTF-8 bytes as byte-level characters. */
    static String encode(String text) {
        StringBuilder sb = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            sb.append(byteChar(b));
        }
        return sb.toString();
    }

    /** A learned merge: {@code left + right} becomes one symbol. */
    record Merge(String left, String right) {
        String joined() {
            return left + right;
        }

        /** The tokenizer.json form {@code "left right"}. */
        @Override
        public String toString() {
            return left + " " + right;
        }
    }

    /**
     * Learns up to {@code maxMerges} merges from {@code words} (byte-level encoded text → weight),
     * stopping early when no pair occurs twice.
     */
    static List<Merge> train(Map<String, Long> words, int maxMerges) {
        Map<List<String>, Long> split = new LinkedHashMap<>();
        for (Map.Entry<String, Long> w : words.entrySet()) {
            List<String> symbols = new ArrayList<>();
            w.getKey().codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
            split.merge(symbols, w.getValue(), Long::sum);
        }
        List<Merge> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            Merge best = null;
            long bestCount = 1;
            Map<Merge, Long> counts = new LinkedHashMap<>();
            for (Map.Entry<List<String>, Long> w : split.entrySet()) {
                List<String> s = w.getKey();
                for (int i = 0; i + 1 < s.size(); i++) {
                    counts.merge(new Merge(s.get(i), s.get(i + 1)), w.getValue(), Long::sum);
                }
            }
            for (Map.Entry<Merge, Long> c : counts.entrySet()) {
                long n = c.getValue();
                if (n > bestCount || (n == bestCount && best != null && c.getKey().toString().compareTo(best.toString()) < 0)) {
                    best = c.getKey();
                    bestCount = n;
                }
            }
            if (best == null) {
                break;
            }
            merges.add(best);
            Map<List<String>, Long> next = new LinkedHashMap<>();
            for (Map.Entry<List<String>, Long> w : split.entrySet()) {
                next.merge(apply(w.getKey(), best), w.getValue(), Long::sum);
            }
            split = next;
        }
        return merges;
    }

    private static List<String> apply(List<String> symbols, Merge m) {
        List<String> out = new ArrayList<>(symbols.size());
        for (int i = 0; i < symbols.size(); i++) {
            if (i + 1 < symbols.size() && symbols.get(i).equals(m.left()) && symbols.get(i + 1).equals(m.right())) {
                out.add(m.joined());
                i++;
            } else {
                out.add(symbols.get(i));
            }
        }
        return out;
    }
}
