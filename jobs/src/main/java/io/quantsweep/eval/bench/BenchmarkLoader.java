package io.quantsweep.eval.bench;

import java.io.IOException;

/** Reads one split of a benchmark from its folder; bad rows are counted in the result, not thrown. */
public interface BenchmarkLoader {
    /**
     * @param dir   the benchmark's folder (for MMLU the {@code data} folder holding {@code dev/}, {@code test/})
     * @param split the split name ({@code test}, {@code dev}, {@code val}, {@code train})
     * @throws BenchmarkFormatException if the split is missing or a whole file is unreadable
     */
    LoadedSplit load(DataDir dir, String split) throws IOException;
}
