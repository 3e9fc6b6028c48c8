package io.quantsweep.eval.run;

import java.io.Serializable;
import java.util.Objects;

/** A sample of one variant: benchmark, item id and sample index. */
record SampleKey(String benchmark, String itemId, int sample) implements Serializable {
    SampleKey {
        Objects.requireNonNull(benchmark, "benchmark");
        Objects.requireNonNull(itemId, "itemId");
    }

    @Override
    public String toString() {
        return benchmark + "/" + itemId + "#" + sample;
    }
}
