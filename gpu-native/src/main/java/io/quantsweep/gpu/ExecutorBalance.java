package io.quantsweep.gpu;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.QualityStats;
import io.quantsweep.quant.numeric.Bf16;
import io.quantsweep.quant.numeric.Fp8BlockScaling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * Whether a GPU executor of the quantize job is still bound by quantization. Each of its tasks runs on
 * one core and, for every unit, decodes the FP8 rows with their block scales, checks them finite, rounds
 * them to BF16 (the job's default source precision), quantizes them, and dequantizes the result for the
 * quality statistics: the job's own calls ({@code UnitQuantizer}'s), without the checkpoint reads and the
 * part writes. All of an executor's tasks share its one GPU.
 *
 * <p>Here every core of the machine runs such a task over units of one DeepSeek-V3 expert matrix (the
 * job's default unit, FP8 in 128 × 128 blocks), timed four ways: the CPU work alone, the GPU quantization
 * alone (with its copies, from every task at once), the whole unit with the GPU codec, and the whole unit
 * with the CPU codec, as an executor without a GPU runs it. An executor whose tasks spend less than half
 * their time in the GPU codec's calls (its host copies included) is no longer bound by quantization.
 */
final class ExecutorBalance implements AutoCloseable {
    static final int UNIT_ROWS = 2048;
    static final int UNIT_COLS = 7168;
    private static final Fp8BlockScaling BLOCKS = Fp8BlockScaling.DEEPSEEK_V3;

    /**
     * A type's figures, in GB/s of float32 values; {@code quantizeShare}: the tasks' time in the quantizing
     * calls (host copies included) over their whole time; {@code identical}: every run gave the bytes of
     * the CPU codec's reference run.
     */
    record Row(GgmlType type, double cpuWork, double gpuQuantize, double withGpu, double quantizeShare,
            double withoutGpu, boolean identical) {

        boolean boundByQuantization() {
            return quantizeShare >= 0.5;
        }
    }

    private final int tasks;
    private final int unitsPerTask;
    private final int repeats;
    private final int values = UNIT_ROWS * UNIT_COLS;
    private final byte[] codes = new byte[values];
    private final float[] scale;
    private final int scaleCols = Math.toIntExact(BLOCKS.scaleShape(UNIT_ROWS, UNIT_COLS).get(1));
    /** The unit as the codecs see it (decoded, rounded to BF16), for the reference bytes and the GPU-only runs. */
    private final float[] rounded = new float[values];
    private final ExecutorService pool;
    private final List<Task> taskState = new ArrayList<>();

    /**
     * @param tasks tasks running at once, one per core
     * @param unitsPerTask units each task runs in one timed pass
     * @param repeats timed passes after one warm-up; the fastest counts
     */
    ExecutorBalance(int tasks, int unitsPerTask, int repeats, long seed) {
        this.tasks = tasks;
        this.unitsPerTask = unitsPerTask;
        this.repeats = repeats;
        this.scale = encodeFp8(GpuCheck.seededRows(UNIT_ROWS, UNIT_COLS, seed), codes, scaleCols);
        float[] source = new float[values];
        BLOCKS.dequantizeRows(codes, 0, 0, UNIT_ROWS, UNIT_COLS, scale, scaleCols, source, 0);
        Bf16.round(source, 0, rounded, 0, values);
        this.pool = Executors.newFixedThreadPool(tasks);
        for (int t = 0; t < tasks; t++) {
            taskState.add(new Task());
        }
    }

    /** FP8 codes in 128 × 128 blocks, as DeepSeek's weights are; returns the scales. */
    private static float[] encodeFp8(float[] x, byte[] codes, int scaleCols) {
        int blockRows = BLOCKS.blockRows();
        float[] scale = new float[Math.toIntExact(BLOCKS.blockRowEnd(UNIT_ROWS)) * scaleCols];
        IntStream.range(0, scale.length / scaleCols).parallel().forEach(b -> {
            int r0 = b * blockRows;
            BLOCKS.quantizeBlockRow(x, r0 * UNIT_COLS, Math.min(blockRows, UNIT_ROWS - r0), UNIT_COLS, codes,
                    r0 * UNIT_COLS, scale, b * scaleCols);
        });
        return scale;
    }

    /** Times the four runs for {@code type}, whose kernel {@code gpu} runs. */
    Row measure(GgmlType type, Codec gpu) {
        Codec cpu = Codecs.of(type);
        int rowBytes = Math.toIntExact(type.bytesFor(UNIT_COLS));
        byte[] reference = new byte[UNIT_ROWS * rowBytes];
        IntStream.range(0, UNIT_ROWS).parallel()
                .forEach(r -> cpu.quantizeRow(rounded, r * UNIT_COLS, UNIT_COLS, null, reference, r * rowBytes));
        for (Task t : taskState) {
            t.out = new byte[reference.length];
            t.identical = true;
        }
        double cpuWork = rate(t -> t.unit(type, null, reference));
        double gpuQuantize = rate(t -> {
            gpu.quantizeRows(rounded, 0, UNIT_ROWS, UNIT_COLS, null, t.out, 0);
            t.identical &= Arrays.equals(t.out, reference);
        });
        double withGpu = rate(t -> t.unit(type, gpu, reference));
        // the tasks' time of withGpu's last pass
        long quantizing = 0;
        long working = 0;
        for (Task t : taskState) {
            quantizing += t.quantizeNanos;
            working += t.unitNanos;
        }
        double withoutGpu = rate(t -> t.unit(type, cpu, reference));
        boolean identical = taskState.stream().allMatch(t -> t.identical);
        return new Row(type, cpuWork, gpuQuantize, withGpu, (double) quantizing / working, withoutGpu, identical);
    }

    /** One warm-up pass, then the fastest of {@link #repeats}: every task runs its units at once; GB/s of float32 values. */
    private double rate(TaskWork work) {
        long best = Long.MAX_VALUE;
        for (int pass = 0; pass <= repeats; pass++) {
            for (Task t : taskState) {
                t.reset();
            }
            long t0 = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (Task t : taskState) {
                running.add(pool.submit(() -> {
                    for (int u = 0; u < unitsPerTask; u++) {
                        work.run(t);
                    }
                }));
            }
            try {
                for (Future<?> f : running) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while timing the executor's tasks", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("an executor task failed: " + e.getCause(), e.getCause());
            }
            long elapsed = System.nanoTime() - t0;
            if (pass > 0) {
                best = Math.min(best, elapsed);
            }
        }
        // bytes per nanosecond are GB/s
        return (double) tasks * unitsPerTask * values * Float.BYTES / best;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    @FunctionalInterface
    private interface TaskWork {
        void run(Task t);
    }

    /** One task's arrays, kept from unit to unit as the job keeps them. */
    private final class Task {
        final float[] source = new float[values];
        final float[] input = new float[values];
        final float[] row = new float[UNIT_COLS];
        byte[] out;
        long quantizeNanos;
        long unitNanos;
        /** Whether every quantization of this type so far gave the reference bytes. */
        boolean identical;

        void reset() {
            quantizeNanos = 0;
            unitNanos = 0;
        }

        /** One unit; {@code codec} null leaves out the quantization and judges the reference bytes. */
        void unit(GgmlType type, Codec codec, byte[] reference) {
            long t0 = System.nanoTime();
            BLOCKS.dequantizeRows(codes, 0, 0, UNIT_ROWS, UNIT_COLS, scale, scaleCols, source, 0);
            Bf16.round(source, 0, input, 0, values);
            int bad = Codecs.firstNonFinite(input, 0, values);
            if (bad >= 0) {
                throw new IllegalStateException("the seeded unit decodes to " + source[bad] + " at value " + bad);
            }
            byte[] bytes = reference;
            if (codec != null) {
                long q0 = System.nanoTime();
                codec.quantizeRows(input, 0, UNIT_ROWS, UNIT_COLS, null, out, 0);
                quantizeNanos += System.nanoTime() - q0;
                identical &= Arrays.equals(out, reference);
                bytes = out;
            }
            QualityStats.ofRows(type, bytes, 0, UNIT_ROWS, UNIT_COLS, source, 0, row);
            unitNanos += System.nanoTime() - t0;
        }
    }
}
