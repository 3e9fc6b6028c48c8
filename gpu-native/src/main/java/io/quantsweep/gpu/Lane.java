package io.quantsweep.gpu;

import io.quantsweep.gpu.CudaKernels.Kernel;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * One caller's share of the GPU: two {@link Slot}s used alternately, so that while one slot's chunk of rows
 * is copied in, quantized and copied out on its stream, the caller fills the other slot's pinned buffer
 * and collects the previous chunk. Buffers grow to the largest chunk seen and are kept for the next call.
 * A lane is used by one thread at a time ({@link CudaKernels#borrowLane}).
 */
final class Lane {
    private final CudaKernels cuda;
    private final Slot[] slots = {new Slot(), new Slot()};
    private final Buffer importance = new Buffer(true);

    Lane(CudaKernels cuda) {
        this.cuda = cuda;
    }

    /**
     * Quantizes {@code rows} rows of {@code cols} floats from {@code x[xOff..]} into {@code dst[dstOff..]},
     * {@code chunkRows} rows per kernel launch.
     */
    void quantizeRows(Kernel k, float[] x, int xOff, int rows, int cols, float[] weights, byte[] dst, int dstOff,
                      int chunkRows) {
        long rowBytes = k.type().bytesFor(cols);
        long importanceOnDevice = weights == null ? 0 : uploadImportance(weights, k, rows, cols);
        int chunk = 0;
        for (int r0 = 0; r0 < rows; r0 += chunkRows, chunk++) {
            Slot slot = slots[chunk % 2];
            slot.collect(dst, dstOff, rowBytes);
            slot.start(k, x, xOff, r0, Math.min(chunkRows, rows - r0), rows, cols, importanceOnDevice, rowBytes);
        }
        for (int i = 0; i < slots.length; i++) {
            slots[(chunk + i) % 2].collect(dst, dstOff, rowBytes);
        }
    }

    private long uploadImportance(float[] weights, Kernel k, int rows, int cols) {
        long bytes = (long) cols * Float.BYTES;
        String what = "the importance vector of " + CudaKernels.describe(k, rows, cols);
        importance.ensure(bytes, what);
        new FloatPointer(importance.host).put(weights, 0, cols);
        CUstream_st stream = slots[0].stream();
        cuda.copyToDevice(importance.device, importance.host, bytes, stream, what);
        // Both slots' kernels read it: wait here rather than order the second stream after the first.
        cuda.synchronize(stream, "copying " + what);
        return importance.device;
    }

    /** Frees everything (after a failure; otherwise lanes live as long as the JVM). Errors are ignored. */
    void free() {
        for (Slot s : slots) {
            s.free();
        }
        importance.free();
    }

    /** Device memory, with a pinned host twin where data is staged through it, grown on demand. */
    private final class Buffer {
        private final boolean staged;
        private long device;
        private Pointer host;
        private long capacity;

        Buffer(boolean staged) {
            this.staged = staged;
        }

        void ensure(long bytes, String what) {
            if (bytes <= capacity) {
                return;
            }
            free();
            device = cuda.alloc(bytes, what);
            if (staged) {
                host = cuda.allocHost(bytes, what);
            }
            capacity = bytes;
        }

        void free() {
            cuda.free(device);
            cuda.freeHost(host);
            device = 0;
            host = null;
            capacity = 0;
        }
    }

    /** A stream, the buffers of one chunk of rows, and the chunk in flight, if any. */
    private final class Slot {
        private final Buffer in = new Buffer(true);
        private final Buffer out = new Buffer(true);
        private final Buffer rowSumSq = new Buffer(false);
        private CUstream_st stream;
        private int pendingRow = -1;
        private int pendingRows;
        private String pendingWhat;

        CUstream_st stream() {
            if (stream == null) {
                stream = cuda.newStream();
            }
            return stream;
        }

        void start(Kernel k, float[] x, int xOff, int r0, int n, int rows, int cols, long weights, long rowBytes) {
            String what = CudaKernels.describe(k, n, cols) + ", rows " + r0 + ".." + (r0 + n - 1) + " of " + rows;
            long inBytes = (long) n * cols * Float.BYTES;
            long outBytes = n * rowBytes;
            in.ensure(inBytes, "the input of " + what);
            out.ensure(outBytes, "the output of " + what);
            rowSumSq.ensure((long) n * Float.BYTES, "the row sums of squares of " + what);
            new FloatPointer(in.host).put(x, Math.toIntExact(xOff + (long) r0 * cols), n * cols);
            CUstream_st s = stream();
            cuda.copyToDevice(in.device, in.host, inBytes, s, what);
            cuda.launchQuantize(k, s, in.device, weights, rowSumSq.device, out.device, n, cols);
            cuda.copyToHost(out.host, out.device, outBytes, s, what);
            pendingRow = r0;
            pendingRows = n;
            pendingWhat = what;
        }

        /** Waits for the chunk in flight, if any, and copies its bytes to {@code dst}. */
        void collect(byte[] dst, int dstOff, long rowBytes) {
            if (pendingRow < 0) {
                return;
            }
            cuda.synchronize(stream, "running " + pendingWhat);
            new BytePointer(out.host).get(dst, Math.toIntExact(dstOff + pendingRow * rowBytes),
                    Math.toIntExact(pendingRows * rowBytes));
            pendingRow = -1;
        }

        void free() {
            if (stream != null) {
                cuda.destroyStream(stream);
                stream = null;
            }
            in.free();
            out.free();
            rowSumSq.free();
            pendingRow = -1;
        }
    }
}
