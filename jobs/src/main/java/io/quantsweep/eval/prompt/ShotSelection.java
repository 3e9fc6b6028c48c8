package io.quantsweep.eval.prompt;

import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.bench.StableHash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How the n exemplars of a question are drawn from the few-shot pool (the dev split). Candidates are
 * the pool items of the question's subject (the whole pool if none shares it), never the question's
 * own record. Both ways depend only on the pool, the question id and the seed, so a prompt is the same
 * on every run and every executor.
 */
public enum ShotSelection {
    /** The first n candidates in file order (lm-evaluation-harness's {@code first_n}; MMLU's usual 5-shot). */
    FIRST_N("first-n"),
    /**
     * n candidates ordered by {@link StableHash} of (seed, question id, candidate id): a different,
     * fixed draw for each question.
     */
    SEEDED("seeded");

    private final String id;

    ShotSelection(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The exemplars for {@code item}, in prompt order. */
    public List<Item> select(Item item, List<Item> pool, int n, long seed) {
        if (n == 0) {
            return List.of();
        }
        List<Item> sameSubject = pool.stream().filter(p -> p.subject().equals(item.subject())).toList();
        List<Item> candidates = new ArrayList<>(sameSubject.isEmpty() ? pool : sameSubject);
        candidates.removeIf(p -> p.where().equals(item.where()));
        if (candidates.size() < n) {
            throw new IllegalArgumentException(item.where() + ": " + n + "-shot prompt for item '" + item.id()
                    + "' needs " + n + " exemplars of subject '" + item.subject() + "', the few-shot pool has "
                    + candidates.size());
        }
        if (this == SEEDED) {
            long question = StableHash.of(seed, item.id());
            candidates.sort(Comparator.comparingLong((Item p) -> StableHash.of(question, p.id()))
                    .thenComparing(Item::id));
        }
        return List.copyOf(candidates.subList(0, n));
    }

    /** The selection with this sweep-file name. */
    public static ShotSelection parse(String id) {
        for (ShotSelection s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown shot selection '" + id + "', one of "
                + Arrays.stream(values()).map(ShotSelection::id).collect(Collectors.joining(", ")));
    }
}
