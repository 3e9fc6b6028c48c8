package io.quantsweep.quantize;

import io.quantsweep.io.WriterClaim;
import java.io.IOException;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A run's claim on its output folder ({@code _work/_writer}). Of two runs of the same arguments into
 * one folder, the one started last writes it, reusing the units the other finished; the other stops
 * before its next step that writes outside its own parts (assembly, statistics, {@code _SUCCESS}), so
 * the two do not overwrite each other's tables or delete the work folder under each other.
 *
 * @param run this run's id
 */
record RunClaim(FileSystem fs, Path out, String run) {
    static final String FILE = "_writer";

    /** Claims {@code out} for a new run. */
    static RunClaim take(FileSystem fs, Path out) throws IOException {
        RunClaim claim = new RunClaim(fs, out, UUID.randomUUID().toString());
        fs.mkdirs(claim.file().getParent());
        WriterClaim.claim(fs, claim.file(), claim.run());
        return claim;
    }

    Path file() {
        return new Path(new Path(out, QuantizeJob.WORK), FILE);
    }

    /** @throws RunConflictException when a later run has claimed the folder since */
    void require(String step) throws IOException {
        Optional<String> holder = WriterClaim.holder(fs, file());
        if (!holder.equals(Optional.of(run))) {
            // no claim: a later run is writing it, or finished and deleted the work folder with it
            String other = holder.map(id -> "run " + id).orElse(fs.exists(new Path(out, RunManifest.SUCCESS))
                    ? "which has completed it" : "whose claim is being written");
            throw new RunConflictException(RunConflictException.Reason.SUPERSEDED, ("%s: another run into this directory "
                    + "started after this one (%s; this is run %s): this one stops before %s and leaves the output to it")
                    .formatted(out, other, run, step));
        }
    }
}
