package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.RealModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two runs into one folder: the later claim wins, and the earlier run learns it at its next step. */
class RunClaimTest {
    private static final FileSystem FS = RealModelFiles.fs();

    @TempDir
    Path dir;

    @Test
    void theRunStartedLastWritesTheFolder() throws IOException {
        org.apache.hadoop.fs.Path out = RealModelFiles.hadoop(dir);
        RunClaim first = RunClaim.take(FS, out);
        first.require("assembling the files");
        RunClaim second = RunClaim.take(FS, out);
        second.require("assembling the files");
        RunConflictException e = assertThrows(RunConflictException.class, () -> first.require("writing the statistics"));
        assertEquals(RunConflictException.Reason.SUPERSEDED, e.reason());
        assertEquals(out + ": another run into this directory started after this one (run " + second.run() + "; this is run "
                + first.run() + "): this one stops before writing the statistics and leaves the output to it", e.getMessage());

        Files.delete(dir.resolve(QuantizeJob.WORK).resolve(RunClaim.FILE));
        assertTrue(assertThrows(RunConflictException.class, () -> second.require("writing _SUCCESS")).getMessage()
                .contains("(whose claim is being written; this is run " + second.run() + ")"));
        // the later run finished: its _SUCCESS is there and its work folder, claim included, is gone
        Files.writeString(dir.resolve(RunManifest.SUCCESS), "{}");
        assertTrue(assertThrows(RunConflictException.class, () -> first.require("assembling the files")).getMessage()
                .contains("(which has completed it; this is run " + first.run() + ")"));
    }
}
