package io.quantsweep.format.gguf;

import io.quantsweep.io.AtomicOutput;
import io.quantsweep.io.CountingOutputStream;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * Writes a {@link GgufPlan} in spec order: the header (magic, version, counts, KVs, tensor infos,
 * padding), then each tensor's bytes in plan order, each followed by zero padding to the alignment.
 *
 * <p>A {@link State} guards the calls: {@code NEW → HEADER} ({@link #writeHeader}), {@code → TENSORS}
 * ({@link #writeTensor}, once per planned tensor, in order), {@code → CLOSED} ({@link #finish}, which
 * checks that every tensor and every planned byte was written). A call out of order throws naming the
 * state; a failed write closes the writer. Every tensor's size is checked against the plan.
 *
 * <p>{@link #toFile} writes through {@link AtomicOutput}: the file appears under its name at
 * {@link #finish}, and {@link #close} before that deletes the temporary. {@link #dataSectionTo}
 * starts in state HEADER, for writing only the data section when the header is written elsewhere.
 */
public final class GgufWriter implements Closeable {

    /** Where the writer is in the file. */
    public enum State { NEW, HEADER, TENSORS, CLOSED }

    private static final byte[] ZEROS = new byte[4096];

    private final GgufPlan plan;
    private final CountingOutputStream out;
    private final AtomicOutput file;
    private final long expectedBytes;
    private State state;
    private int next;

    private GgufWriter(GgufPlan plan, OutputStream out, AtomicOutput file, State start) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.out = new CountingOutputStream(out);
        this.file = file;
        this.state = start;
        this.expectedBytes = start == State.NEW ? plan.fileSize() : plan.dataSize();
    }

    /** A writer of the whole file to {@code out}, which the caller keeps and closes. */
    public static GgufWriter toStream(OutputStream out, GgufPlan plan) {
        return new GgufWriter(plan, out, null, State.NEW);
    }

    /** A writer of only the data section to {@code out}: it starts in state HEADER. */
    public static GgufWriter dataSectionTo(OutputStream out, GgufPlan plan) {
        return new GgufWriter(plan, out, null, State.HEADER);
    }

    /** A writer of {@code target}, which appears at {@link #finish} (temporary file + atomic rename). */
    public static GgufWriter toFile(Path target, GgufPlan plan) throws IOException {
        AtomicOutput file = AtomicOutput.create(target);
        return new GgufWriter(plan, file.stream(), file, State.NEW);
    }

    /** Writes a whole file: header, then {@code data.apply(t)} for each tensor in plan order. */
    public static void write(Path target, GgufPlan plan, Function<GgufTensorInfo, TensorData> data) throws IOException {
        try (GgufWriter w = toFile(target, plan)) {
            w.writeHeader();
            w.writeTensors(data);
            w.finish();
        }
    }

    /** Writes the data section alone: each tensor from {@code data}, padded, in plan order. */
    public static void writeDataSection(OutputStream out, GgufPlan plan, Function<GgufTensorInfo, TensorData> data)
            throws IOException {
        try (GgufWriter w = dataSectionTo(out, plan)) {
            w.writeTensors(data);
            w.finish();
        }
    }

    public State state() {
        return state;
    }

    public GgufPlan plan() {
        return plan;
    }

    public void writeHeader() throws IOException {
        require(state == State.NEW, "writeHeader");
        guarded(() -> plan.writeHeader(out));
        state = State.HEADER;
    }

    /** Writes the next planned tensor's bytes and padding; {@code data.size()} must match the plan. */
    public void writeTensor(TensorData data) throws IOException {
        require((state == State.HEADER || state == State.TENSORS) && next < plan.tensors().size(), "writeTensor");
        GgufTensorInfo t = plan.tensors().get(next);
        if (data.size() != t.byteSize()) {
            abort();
            throw new IllegalArgumentException("tensor '%s' has %d bytes, the plan says %d".formatted(t.name(), data.size(), t.byteSize()));
        }
        guarded(() -> {
            long before = out.count();
            data.writeTo(out);
            long written = out.count() - before;
            if (written != t.byteSize()) {
                throw new IOException("tensor '%s': its source wrote %d bytes, the plan says %d".formatted(t.name(), written, t.byteSize()));
            }
            zeros(Gguf.pad(written, plan.alignment()) - written);
        });
        next++;
        state = State.TENSORS;
    }

    private void writeTensors(Function<GgufTensorInfo, TensorData> data) throws IOException {
        for (GgufTensorInfo t : plan.tensors()) {
            writeTensor(data.apply(t));
        }
    }

    /** Checks that the plan is complete, flushes, and for {@link #toFile} makes the file visible. */
    public void finish() throws IOException {
        require((state == State.HEADER || state == State.TENSORS) && next == plan.tensors().size(), "finish");
        guarded(() -> {
            out.flush();
            if (out.count() != expectedBytes) {
                throw new IOException("wrote %d bytes, the plan says %d".formatted(out.count(), expectedBytes));
            }
            if (file != null) {
                file.commit();
            }
        });
        state = State.CLOSED;
    }

    /** Closes; before {@link #finish}, this abandons the output (a file's temporary is deleted). */
    @Override
    public void close() throws IOException {
        if (state != State.CLOSED) {
            abort();
        } else if (file != null) {
            file.close();
        }
    }

    private void abort() throws IOException {
        state = State.CLOSED;
        if (file != null) {
            file.close();
        }
    }

    private void require(boolean ok, String call) {
        if (!ok) {
            throw new IllegalStateException("%s in state %s (%d of %d tensors written)"
                    .formatted(call, state, next, plan.tensors().size()));
        }
    }

    private interface Step {
        void run() throws IOException;
    }

    /** Runs one step; if it fails, the writer is closed so that nothing half-written can be finished. */
    private void guarded(Step step) throws IOException {
        try {
            step.run();
        } catch (IOException | RuntimeException e) {
            try {
                abort();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void zeros(long n) throws IOException {
        while (n > 0) {
            int k = (int) Math.min(n, ZEROS.length);
            out.write(ZEROS, 0, k);
            n -= k;
        }
    }
}
