package io.quantsweep.gpu;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import java.util.Objects;

/**
 * A {@link Codec} that quantizes on the GPU with the CUDA kernels of {@code src/main/cuda}, one thread per
 * ggml block, producing the same bytes as the CPU codecs (and ggml); dequantizing stays on the CPU
 * ({@link Codecs#of}).
 *
 * <p>{@link #quantizeRows} cuts the batch into chunks of about {@code chunkFloats} values and runs them
 * through a {@link Lane} of pinned and device buffers, overlapping one chunk's copies with the other's
 * kernel. Safe for concurrent callers: each borrows a lane of its own; all share the device's one CUDA
 * context in this JVM. A driver error (out of memory, a failed launch) throws {@link CudaException} naming the kernel
 * and size, and nothing is returned for that call.
 */
public final class GpuCodec implements Codec {
    /** Values per chunk (32 MiB of float32): large enough to fill an H100, small enough to overlap. */
    static final int DEFAULT_CHUNK_FLOATS = 1 << 23;

    private final CudaKernels cuda;
    private final CudaKernels.Kernel kernel;
    private final int chunkFloats;

    GpuCodec(GgmlType type, int device, int chunkFloats) {
        CudaKernels.Kernel k = CudaKernels.kernel(type);
        if (k == null) {
            throw new IllegalArgumentException("no GPU kernel for ggml type " + type + "; kernels: " + CudaKernels.types());
        }
        this.cuda = CudaKernels.get(device);
        this.kernel = k;
        this.chunkFloats = chunkFloats;
    }

    /** The GPU codec of {@code type} on {@link CudaProbe#DEFAULT_DEVICE}. */
    public static GpuCodec of(GgmlType type) {
        return of(type, CudaProbe.DEFAULT_DEVICE);
    }

    /**
     * The GPU codec of {@code type} on CUDA device ordinal {@code device}.
     *
     * @throws GpuUnavailableException if this JVM cannot run the kernels there (the message says why)
     * @throws IllegalArgumentException if {@code type} has no kernel
     */
    public static GpuCodec of(GgmlType type, int device) {
        return new GpuCodec(type, device, DEFAULT_CHUNK_FLOATS);
    }

    @Override
    public GgmlType type() {
        return kernel.type();
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        quantizeRows(x, xOff, 1, n, importance, dst, dstOff);
    }

    @Override
    public void quantizeRows(float[] x, int xOff, int rows, int cols, float[] importance, byte[] dst, int dstOff) {
        if (rows == 0) {
            return;
        }
        // JavaCPP's copies into and out of pinned memory check no bounds, where the CPU codecs' array accesses do
        Objects.checkFromIndexSize(xOff, (long) rows * cols, x.length);
        Objects.checkFromIndexSize(dstOff, rows * type().bytesFor(cols), dst.length);
        if (importance != null) {
            Objects.checkFromIndexSize(0, cols, importance.length);
        }
        int chunkRows = Math.max(1, chunkFloats / cols);
        Lane lane = cuda.borrowLane();
        boolean ok = false;
        try {
            cuda.makeCurrent();
            lane.quantizeRows(kernel, x, xOff, rows, cols, importance, dst, dstOff, chunkRows);
            ok = true;
        } catch (CudaException e) {
            throw cuda.failed(e);
        } finally {
            if (ok) {
                cuda.returnLane(lane);
            } else {
                cuda.discardLane(lane);
            }
        }
    }

    /** Decodes on the CPU with the type's CPU codec (refused, naming the type, where there is none). */
    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        Codecs.of(kernel.type()).dequantizeRow(src, srcOff, n, y, yOff);
    }
}
