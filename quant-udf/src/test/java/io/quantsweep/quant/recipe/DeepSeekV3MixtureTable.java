package io.quantsweep.quant.recipe;

import io.quantsweep.quant.GgmlType;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * deepseek-v3-gguf.md §3.6 as data: the type each of llama.cpp's ten K-quant mixtures gives each
 * DeepSeek-V3 671B tensor kind (MLA GGUF). Shared through the tests jar by {@link MixtureTableTest}
 * and the planner's tests, which reach it through the real config mapping.
 */
public final class DeepSeekV3MixtureTable {

    /** §3.6 "M": the use_more_bits layers, as the spec lists them. */
    public static final Set<Integer> M_LAYERS = IntStream.concat(IntStream.concat(
                    IntStream.rangeClosed(0, 6), IntStream.iterate(9, i -> i <= 51, i -> i + 3)),
            IntStream.rangeClosed(53, 60)).boxed().collect(Collectors.toUnmodifiableSet());

    /**
     * One row per quantized tensor kind, one cell per mixture in {@link Mixture} order. A cell is a
     * type, {@code L<k?A:B} (layers below k get A) or {@code M?A:B} (the M layers get A).
     */
    private static final Map<String, String> TABLE = Map.ofEntries(
            Map.entry("token_embd", "Q2_K Q3_K Q3_K Q3_K Q4_K Q4_K Q5_K Q5_K Q6_K Q8_0"),
            Map.entry("output", "Q6_K Q6_K Q6_K Q6_K Q6_K Q6_K Q6_K Q6_K Q6_K Q8_0"),
            Map.entry("attn_q_a", "Q2_K Q3_K Q3_K Q3_K Q4_K Q4_K Q5_K Q5_K Q6_K Q8_0"),
            Map.entry("attn_q_b", "Q2_K Q3_K Q3_K Q3_K Q4_K Q4_K Q5_K Q5_K Q6_K Q8_0"),
            Map.entry("attn_kv_a_mqa", "Q2_K Q3_K Q3_K Q3_K Q4_K Q4_K Q5_K Q5_K Q6_K Q8_0"),
            Map.entry("attn_v_b", "Q2_K Q3_K Q3_K Q3_K Q4_K Q4_K Q5_K Q5_K Q6_K Q8_0"),
            Map.entry("attn_k_b", "Q4_0 Q4_0 Q4_0 Q4_0 Q5_0 Q5_0 Q5_1 Q5_1 Q8_0 Q8_0"),
            Map.entry("attn_output", "Q3_K Q3_K Q4_K Q5_K Q4_K Q4_K Q5_K Q5_K Q6_K Q8_0"),
            Map.entry("ffn_down", "Q3_K Q3_K L<3?Q5_K:Q4_K Q5_K L<7?Q5_K:Q4_K M?Q6_K:Q4_K Q5_K M?Q6_K:Q5_K Q6_K Q8_0"),
            Map.entry("ffn_down_exps", "Q3_K Q3_K L<3?Q5_K:Q4_K Q5_K L<7?Q5_K:Q4_K M?Q6_K:Q4_K Q5_K M?Q6_K:Q5_K Q6_K Q8_0"),
            Map.entry("ffn_down_shexp", "Q3_K Q3_K L<3?Q5_K:Q4_K Q5_K L<7?Q5_K:Q4_K M?Q6_K:Q4_K Q5_K M?Q6_K:Q5_K Q6_K Q8_0"),
            Map.entry("ffn_gate", "Q2_K Q3_K Q3_K Q3_K Q4_K Q4_K Q5_K Q5_K Q6_K Q8_0"),
            Map.entry("ffn_up", "Q2_K Q3_K Q3_K Q3_K Q4_K Q4_K Q5_K Q5_K Q6_K Q8_0"),
            Map.entry("ffn_gate_exps", "Q2_K Q3_K Q3_K Q3_K Q4_K Q4_K Q5_K Q5_K Q6_K Q8_0"),
            Map.entry("ffn_up_exps", "Q2_K Q3_K Q3_K Q3_K Q4_K Q4_K Q5_K Q5_K Q6_K Q8_0"),
            Map.entry("ffn_gate_shexp", "Q2_K Q3_K Q3_K Q3_K Q4_K Q4_K Q5_K Q5_K Q6_K Q8_0"),
            Map.entry("ffn_up_shexp", "Q2_K Q3_K Q3_K Q3_K Q4_K Q4_K Q5_K Q5_K Q6_K Q8_0"));

    private static final Pattern CONDITIONAL = Pattern.compile("(L<(\\d+)|M)\\?(\\w+):(\\w+)");

    private DeepSeekV3MixtureTable() {
    }

    /** The quantized tensor kinds the table covers (17). */
    public static Set<String> kinds() {
        return TABLE.keySet();
    }

    /** The type {@code mixture} gives the quantized tensor {@code name}. */
    public static GgmlType expected(Mixture mixture, String name) {
        String row = TABLE.get(kind(name));
        if (row == null) {
            throw new IllegalArgumentException("no §3.6 row for tensor '" + name + "'");
        }
        String cell = row.split(" ")[mixture.ordinal()];
        Matcher m = CONDITIONAL.matcher(cell);
        if (!m.matches()) {
            return GgmlType.parse(cell);
        }
        int layer = RecipeTensor.of(name, GgmlType.BF16, 1, 1).layer();
        boolean first = m.group(2) != null ? layer < Integer.parseInt(m.group(2)) : M_LAYERS.contains(layer);
        return GgmlType.parse(first ? m.group(3) : m.group(4));
    }

    /** The tensor's kind: its name without {@code blk.N.} and {@code .weight}. */
    public static String kind(String name) {
        String s = name.startsWith("blk.") ? name.substring(name.indexOf('.', 4) + 1) : name;
        return s.endsWith(".weight") ? s.substring(0, s.length() - 7) : s;
    }
}
