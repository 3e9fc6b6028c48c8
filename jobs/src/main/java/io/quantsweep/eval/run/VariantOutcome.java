package io.quantsweep.eval.run;

import java.io.Serializable;

/**
 * What a variant's task did in one run.
 *
 * @param variant     the variant
 * @param planned     samples the sweep asks of it
 * @param resumed     of those, samples that earlier runs had written
 * @param written     samples this run wrote
 * @param files       sample files this run wrote, before it merged them
 * @param leftovers   files that killed runs left behind and this run deleted: temporaries, and files
 *                    that a merge holds already
 */
public record VariantOutcome(String variant, long planned, long resumed, long written, int files, int leftovers)
        implements Serializable {
}
