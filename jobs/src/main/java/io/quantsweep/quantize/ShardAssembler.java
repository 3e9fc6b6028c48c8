package io.quantsweep.quantize;

import io.quantsweep.io.AtomicOutput;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.ipc.RemoteException;

/**
 * Assembles, verifies and commits one GGUF file of a {@link ShardJob}.
 *
 * <p>Protocol: a temporary {@code .<file>.<uuid>.tmp} in the job's work directory receives the header
 * and then the parts, by HDFS's {@code concat} on HDFS (the namenode moves the parts' blocks behind the
 * header, no byte is copied, the parts are consumed) or else by a streaming copy (on a local disk from
 * file to file inside the kernel); it is synced and closed,
 * then read back in full and checked ({@link #verify}: size, header bytes, each part's CRC-32C at its
 * planned offset); only then is it renamed to the target. A failure at any step deletes the temporary
 * file, so a target name never shows an incomplete or unverified file. The caller's unit records keep
 * the checksums, so a file committed by an earlier run can be verified without its parts.
 */
public final class ShardAssembler {
    private static final int BUFFER = 1 << 20;
    private static final String HDFS = "hdfs";
    /** What the namenode throws for files it cannot concat, as {@link RemoteException#getClassName()} names them. */
    private static final Set<String> CONCAT_REFUSALS = Set.of("org.apache.hadoop.HadoopIllegalArgumentException",
            IllegalArgumentException.class.getName(), UnsupportedOperationException.class.getName());

    /** How parts are joined. */
    public enum Mode {
        /**
         * HDFS {@code concat} on HDFS, else {@link #COPY}. Only HDFS's concat appends to its target;
         * the local file system's replaces the target, so it is not used there.
         */
        AUTO,
        /** Copy every part's bytes into the file (the parts stay). */
        COPY
    }

    private final FileSystem fs;

    public ShardAssembler(FileSystem fs) {
        this.fs = fs;
    }

    /**
     * Assembles {@code job} into its target.
     *
     * @return the mode that joined the parts ({@link Mode#AUTO} when {@code concat} did)
     * @throws ShardVerificationException when the assembled bytes do not match the job
     */
    public Mode assemble(ShardJob job, Mode mode) throws IOException {
        Path target = new Path(job.target());
        Path temporary = new Path(job.workDirectory(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        boolean renamed = false;
        try {
            Mode used = mode == Mode.AUTO && concat(job, temporary) ? Mode.AUTO : Mode.COPY;
            if (used == Mode.COPY) {
                copy(job, temporary);
            }
            verify(temporary, job);
            fs.mkdirs(target.getParent());
            renamed = fs.rename(temporary, target);
            if (!renamed) {
                throw new IOException("cannot rename " + temporary + " to " + target);
            }
            return used;
        } finally {
            if (!renamed) {
                fs.delete(temporary, false);
            }
        }
    }

    /** The header then {@code concat} of the parts; false when the file system cannot concat them. */
    private boolean concat(ShardJob job, Path temporary) throws IOException {
        if (!HDFS.equals(fs.getUri().getScheme())) {
            return false;
        }
        try (FSDataOutputStream out = fs.create(temporary, true, BUFFER)) {
            out.write(job.header());
            AtomicOutput.sync(out);
        }
        Path[] parts = job.parts().stream().map(p -> new Path(p.path())).toArray(Path[]::new);
        try {
            fs.concat(temporary, parts);
            return true;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // a file system without concat, or the client's own checks
            return false;
        } catch (RemoteException e) {
            // the namenode's refusal of these files (block size, replication, layout) arrives wrapped: copy instead
            if (CONCAT_REFUSALS.contains(e.getClassName())) {
                return false;
            }
            throw e;
        }
    }

    private void copy(ShardJob job, Path temporary) throws IOException {
        if (fs instanceof RawLocalFileSystem local) {
            copyLocal(local, job, temporary);
            return;
        }
        byte[] buf = new byte[BUFFER];
        try (FSDataOutputStream out = fs.create(temporary, true, BUFFER)) {
            out.write(job.header());
            for (ShardJob.PartRef p : job.parts()) {
                long copied = 0;
                try (FSDataInputStream in = fs.open(new Path(p.path()), BUFFER)) {
                    for (int n; (n = in.read(buf)) > 0; copied += n) {
                        out.write(buf, 0, n);
                    }
                } catch (FileNotFoundException e) {
                    throw new FileNotFoundException("part " + p.path() + " of " + job.target() + " is missing");
                }
                requireSize(job, p, copied);
            }
            AtomicOutput.sync(out);
        }
    }

    /** {@link #copy} on a local disk: the kernel moves the bytes from file to file ({@link FileChannel#transferTo}). */
    private static void copyLocal(RawLocalFileSystem local, ShardJob job, Path temporary) throws IOException {
        try (FileChannel out = FileChannel.open(local.pathToFile(temporary).toPath(), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(job.header()));
            for (ShardJob.PartRef p : job.parts()) {
                try (FileChannel in = FileChannel.open(local.pathToFile(new Path(p.path())).toPath())) {
                    long size = in.size();
                    requireSize(job, p, size);
                    for (long at = 0; at < size; ) {
                        at += in.transferTo(at, size - at, out);
                    }
                } catch (NoSuchFileException e) {
                    throw new FileNotFoundException("part " + p.path() + " of " + job.target() + " is missing");
                }
            }
            out.force(true);
        }
    }

    private static void requireSize(ShardJob job, ShardJob.PartRef p, long bytes) throws ShardVerificationException {
        if (bytes != p.bytes()) {
            throw new ShardVerificationException("part %s of %s has %d bytes, its unit record says %d"
                    .formatted(p.path(), job.target(), bytes, p.bytes()));
        }
    }

    /**
     * Reads {@code file} in full and checks it against {@code job}: its size, its header bytes and
     * each part's CRC-32C at the part's offset.
     *
     * @throws ShardVerificationException naming the file, the part and its offset at the first difference
     */
    public void verify(Path file, ShardJob job) throws IOException {
        long size = fs.getFileStatus(file).getLen();
        if (size != job.fileSize()) {
            throw new ShardVerificationException("%s has %d bytes; its plan has %d".formatted(file, size, job.fileSize()));
        }
        byte[] header = job.header();
        try (FSDataInputStream in = fs.open(file, BUFFER)) {
            byte[] read = new byte[header.length];
            in.readFully(read);
            if (!Arrays.equals(read, header)) {
                throw new ShardVerificationException("%s: the header (bytes [0, %d)) differs from the plan's"
                        .formatted(file, header.length));
            }
            long offset = header.length;
            for (int i = 0; i < job.parts().size(); i++) {
                ShardJob.PartRef p = job.parts().get(i);
                long crc = PartStore.crc(in, p.bytes());
                if (crc != p.crc32c()) {
                    throw new ShardVerificationException("%s: part %d (%s, bytes [%d, %d)) has CRC-32C %08x, its unit record says %08x"
                            .formatted(file, i, new Path(p.path()).getName(), offset, offset + p.bytes(), crc, p.crc32c()));
                }
                offset += p.bytes();
            }
        }
    }
}
