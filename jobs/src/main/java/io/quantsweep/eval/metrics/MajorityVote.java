package io.quantsweep.eval.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * cons@k, the majority vote of DeepSeek-R1's reports: an item counts as right when the answer most of
 * its k samples give is right. Answers are grouped by the scoring's own equivalence ({@code \dfrac34}
 * is {@code \frac{3}{4}}), each joining the group of the first earlier answer it matches; a sample that
 * gave no answer votes for nothing. Of groups with as many votes, the one whose first answer came first
 * wins, as Python's {@code Counter.most_common} orders ties. An item without any answer is wrong.
 */
public final class MajorityVote {
    private MajorityVote() {
    }

    /**
     * Whether the majority answer of one item is right.
     *
     * @param answers each sample's answer, "" for none, in sample order
     * @param correct each sample's verdict, in the same order
     * @param same    the scoring's equivalence of two answers
     */
    public static boolean right(List<String> answers, List<Boolean> correct, BiPredicate<String, String> same) {
        if (answers.size() != correct.size()) {
            throw new IllegalArgumentException("%d answers and %d verdicts".formatted(answers.size(), correct.size()));
        }
        List<Integer> firsts = new ArrayList<>();
        List<Integer> votes = new ArrayList<>();
        for (int s = 0; s < answers.size(); s++) {
            String a = answers.get(s);
            if (a.isEmpty()) {
                continue;
            }
            int group = 0;
            while (group < firsts.size() && !same.test(answers.get(firsts.get(group)), a)) {
                group++;
            }
            if (group == firsts.size()) {
                firsts.add(s);
                votes.add(0);
            }
            votes.set(group, votes.get(group) + 1);
        }
        int best = -1;
        for (int g = 0; g < votes.size(); g++) {
            if (best < 0 || votes.get(g) > votes.get(best)) {
                best = g;
            }
        }
        return best >= 0 && correct.get(firsts.get(best));
    }
}
