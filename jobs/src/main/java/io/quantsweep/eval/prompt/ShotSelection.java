package io.quantsweep.eval.prompt;

import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.bench.Location;
import io.quantsweep.eval.bench.StableHash;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How the n exemplars of a question are drawn from the few-shot pool (the dev or train split).
 * Candidates are the pool items of the question's subject (the whole pool if none shares it), never
 * the question's own record. Every way depends only on the split, the pool and the seed, so a prompt is
 * the same on every run and every executor.
 */
public enum ShotSelection {
    /** The first n candidates in file order (lm-evaluation-harness's {@code first_n}; MMLU's usual 5-shot). */
    FIRST_N("first-n"),
    /**
     * n candidates ordered by {@link StableHash} of (seed, question id, candidate id): a different,
     * fixed draw for each question.
     */
    SEEDED("seeded"),
    /**
     * lm-evaluation-harness's default sampler (GSM8K's 5-shot): Python's {@code random.Random(seed)}
     * draws {@code sample(candidates, n)} for each question in turn, in the order of the split, with one
     * generator per subject as the harness has one task per subject. When the pool is the split itself,
     * n + 1 are drawn and the question dropped, as the harness does. A question's exemplars therefore
     * depend on its place in the whole split, not on which items a limit keeps.
     */
    LM_EVAL("lm-eval");

    private final String id;

    ShotSelection(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /**
     * The exemplars of the items of {@code split}, ready to look up.
     *
     * @param split the evaluated split, every item in file order (lm-eval's draws follow it)
     * @param pool  the few-shot pool, in file order
     * @throws IllegalArgumentException for {@link #LM_EVAL}, which draws here for the whole split (a limit
     *                                  does not change a question's exemplars), naming the first question
     *                                  whose subject has too few exemplars
     */
    public Exemplars prepare(List<Item> split, List<Item> pool, int n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("number of shots must not be negative, got " + n);
        }
        return new Exemplars(this, List.copyOf(pool), n, seed,
                this == LM_EVAL && n > 0 ? harnessDraws(split, pool, n, seed) : Map.of());
    }

    /** Each question's pool indices, drawn in split order from one generator per subject. */
    private static Map<Location, int[]> harnessDraws(List<Item> split, List<Item> pool, int n, long seed) {
        Map<String, List<Integer>> candidatesOf = new HashMap<>();
        Map<String, PythonRandom> generatorOf = new HashMap<>();
        Map<Location, Integer> inPool = new HashMap<>();
        for (int p = 0; p < pool.size(); p++) {
            inPool.put(pool.get(p).where(), p);
        }
        Map<Location, int[]> drawn = new HashMap<>();
        for (Item item : split) {
            List<Integer> candidates = candidatesOf.computeIfAbsent(item.subject(), s -> candidates(s, pool));
            // the question's place among its candidates (pool indices, ascending) when the pool is its own split
            Integer self = inPool.get(item.where());
            int own = self == null ? -1 : Math.max(-1, Collections.binarySearch(candidates, self));
            int draw = own < 0 ? n : n + 1;
            if (candidates.size() < draw) {
                throw tooFew(item, n, draw == n ? candidates.size() : candidates.size() - 1);
            }
            int[] sample = generatorOf.computeIfAbsent(item.subject(), s -> new PythonRandom(seed))
                    .sample(candidates.size(), draw);
            drawn.put(item.where(),
                    Arrays.stream(sample).filter(c -> c != own).limit(n).map(candidates::get).toArray());
        }
        return drawn;
    }

    /** Indices into the pool of the items of {@code subject}, or of every item if none has it. */
    private static List<Integer> candidates(String subject, List<Item> pool) {
        List<Integer> same = new ArrayList<>();
        for (int p = 0; p < pool.size(); p++) {
            if (pool.get(p).subject().equals(subject)) {
                same.add(p);
            }
        }
        if (same.isEmpty()) {
            for (int p = 0; p < pool.size(); p++) {
                same.add(p);
            }
        }
        return same;
    }

    private static IllegalArgumentException tooFew(Item item, int n, int available) {
        return new IllegalArgumentException(item.where() + ": " + n + "-shot prompt for item '" + item.id()
                + "' needs " + n + " exemplars of subject '" + item.subject() + "', the few-shot pool has "
                + available);
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

    /** Each question's exemplars under one selection, pool, n and seed: what a {@link PromptBuilder} holds. */
    public static final class Exemplars implements Serializable {
        private static final long serialVersionUID = 1L;

        private final ShotSelection selection;
        private final List<Item> pool;
        private final int n;
        private final long seed;
        private final Map<Location, int[]> drawn;

        private Exemplars(ShotSelection selection, List<Item> pool, int n, long seed, Map<Location, int[]> drawn) {
            this.selection = selection;
            this.pool = pool;
            this.n = n;
            this.seed = seed;
            this.drawn = drawn;
        }

        /** The exemplars for {@code item}, in prompt order. */
        public List<Item> of(Item item) {
            if (n == 0) {
                return List.of();
            }
            if (selection == LM_EVAL) {
                int[] drawnFor = drawn.get(item.where());
                if (drawnFor == null) {
                    throw new IllegalArgumentException(item.where() + ": item '" + item.id()
                            + "' is not in the split whose exemplars were drawn");
                }
                return Arrays.stream(drawnFor).mapToObj(pool::get).toList();
            }
            List<Item> candidates = new ArrayList<>(candidates(item.subject(), pool).stream().map(pool::get).toList());
            candidates.removeIf(p -> p.where().equals(item.where()));
            if (candidates.size() < n) {
                throw tooFew(item, n, candidates.size());
            }
            if (selection == SEEDED) {
                long question = StableHash.of(seed, item.id());
                candidates.sort(Comparator.comparingLong((Item p) -> StableHash.of(question, p.id()))
                        .thenComparing(Item::id));
            }
            return List.copyOf(candidates.subList(0, n));
        }
    }
}
