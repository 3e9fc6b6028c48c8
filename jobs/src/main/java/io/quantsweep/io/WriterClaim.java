package io.quantsweep.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A small file that names the one writer of some output: the last to {@link #claim} it. A writer
 * that another has overtaken (a task attempt Spark gave up on but that still runs, a second run into
 * the same folder) finds another's name in it before its next commit, and stops. Commits between a
 * writer's check and a later writer's claim are not prevented; the outputs guarded this way are
 * written the same by every writer, or checked for doubles when read.
 */
public final class WriterClaim {
    private WriterClaim() {
    }

    /** Makes {@code writer} the one that writes from now on (the file is replaced atomically). */
    public static void claim(FileSystem fs, Path file, String writer) throws IOException {
        byte[] id = writer.getBytes(StandardCharsets.UTF_8);
        AtomicOutput.write(fs, file, out -> out.write(id));
    }

    /** The writer {@code file} names; empty while it is missing, as when a claim is replacing it. */
    public static Optional<String> holder(FileSystem fs, Path file) throws IOException {
        try (FSDataInputStream in = fs.open(file)) {
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }
}
