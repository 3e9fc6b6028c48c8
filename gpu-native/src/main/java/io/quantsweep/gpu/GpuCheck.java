package io.quantsweep.gpu;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.codec.CodecImplementations;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The acceptance run on a GPU machine behind {@code scripts/gpu-check}: every kernel against ggml's golden
 * vectors (one chunk, and one row per chunk), against the CPU codecs on larger seeded rows from four
 * threads at once, then throughput, and last whether a GPU executor of the quantize job is still bound by
 * quantization ({@link ExecutorBalance}). The report, Markdown, is rewritten after every step into
 * {@code OUTDIR/gpu-check.md}, so a run cut short still says how far it got.
 *
 * <p>Usage: {@code GpuCheck OUTDIR GOLDEN_DIR}. Exit status: 0 every byte identical; 1 a difference (an
 * error may have stopped the check after it); 2 not measured to the end: no usable GPU, an error before any
 * difference, or a report that could not be written (the reason is in the report, else on stdout); 64 a
 * usage error.
 */
public final class GpuCheck {
    static final String REPORT = "gpu-check.md";
    private static final Pattern GOLDEN = Pattern.compile("(c\\d+_[a-z0-9]+)\\.([A-Z0-9_]+?)(\\.imat)?\\.bin");
    /** Seeded parity: rows × DeepSeek-V3's hidden size, run in chunks of CHUNK_ROWS by THREADS callers. */
    private static final int PARITY_ROWS = 256;
    private static final int COLS = 7168;
    private static final int PARITY_CHUNK_ROWS = 64;
    private static final int THREADS = 4;
    /** Throughput: 4096 × 7168 float32 = 117 MB of input per pass. */
    private static final int BENCH_ROWS = 4096;
    private static final int BENCH_REPEATS = 3;
    private static final int CPU_BENCH_ROWS = 32;
    /** The executor's balance: the types, one task per core up to this many (memory: 2 × 59 MB each). */
    private static final List<GgmlType> BALANCE_TYPES =
            List.of(GgmlType.Q8_0, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);
    private static final int MAX_TASKS = 32;
    private static final int UNITS_PER_TASK = 2;

    private final Path report;
    private final PrintStream log;
    private final StringBuilder text = new StringBuilder();
    private int differences;

    private GpuCheck(Path outDir, PrintStream log) {
        this.report = outDir.resolve(REPORT);
        this.log = log;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: GpuCheck OUTDIR GOLDEN_DIR");
            System.exit(64);
        }
        int status;
        try {
            status = run(Path.of(args[0]), Path.of(args[1]), System.out);
        } catch (Throwable t) {
            // what the check could not report itself (its folder cannot be made); the JVM's own status for an
            // uncaught throwable, 1, would read as "a difference"
            t.printStackTrace();
            System.out.println("RESULT: FAIL: stopped by " + t);
            status = 2;
        }
        System.exit(status);
    }

    /** Runs the check, writes the report and returns the exit status. */
    static int run(Path outDir, Path goldenDir, PrintStream log) throws IOException {
        Files.createDirectories(outDir);
        return new GpuCheck(outDir, log).check(goldenDir);
    }

    private int check(Path goldenDir) {
        long start = System.nanoTime();
        line("# gpu-check");
        line("");
        line("- started: " + Instant.now());
        line("- java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs");
        // the CPU columns compare with the codecs the job runs: the Vector API ones where this JVM has them
        line("- CPU codecs: " + CodecImplementations.vectorSkipped().map(why -> "scalar (" + why + ")").orElse("Vector API"));
        CudaProbe.Status probe = CudaProbe.status();
        line("- CUDA: " + probe.reason());
        CudaKernels.Outcome outcome = CudaKernels.outcome();
        if (outcome.kernels() == null) {
            line("");
            line("RESULT: FAIL: no CUDA device usable: " + outcome.failure());
            return 2;
        }
        line("- kernels: context and PTX load (JIT) " + outcome.kernels().loadMillis() + " ms, "
                + CudaKernels.types().size() + " types");
        try {
            goldenParity(goldenDir);
            seededParity();
            throughput(outcome.kernels());
            executorBalance();
        } catch (RuntimeException | Error e) {
            // an Error too (out of memory, a native library that does not link): the report says what stopped it
            line("");
            line("RESULT: FAIL: stopped by " + causes(e) + (differences > 0 ? "; " + differences
                    + " comparisons differed before" : ""));
            return differences > 0 ? 1 : 2;
        }
        line("");
        line("- finished in %.1f s".formatted((System.nanoTime() - start) / 1e9));
        line(differences == 0 ? "RESULT: PASS: every kernel byte-identical to ggml / the CPU codecs"
                : "RESULT: FAIL: " + differences + " comparisons differ");
        return differences == 0 ? 0 : 1;
    }

    private void goldenParity(Path dir) {
        line("");
        line("## Parity with ggml's golden vectors (" + dir + ")");
        line("");
        line("| file | one chunk | one row per chunk |");
        line("|---|---|---|");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int checked = 0;
        for (Path f : files) {
            Matcher m = GOLDEN.matcher(f.getFileName().toString());
            if (!m.matches() || CudaKernels.kernel(GgmlType.parse(m.group(2))) == null) {
                continue;
            }
            GgmlType type = GgmlType.parse(m.group(2));
            float[] x = floats(dir.resolve(m.group(1) + ".f32"));
            float[] importance = floats(dir.resolve(m.group(1) + ".imatrix.f32"));
            int cols = importance.length;
            int rows = x.length / cols;
            byte[] ggml = bytes(f);
            float[] weights = m.group(3) != null ? importance : null;
            String whole = compare(ggml, quantize(GpuCodec.of(type), x, rows, cols, weights), type, cols);
            GpuCodec rowChunks = new GpuCodec(type, CudaProbe.DEFAULT_DEVICE, cols);
            String perRow = compare(ggml, quantize(rowChunks, x, rows, cols, weights), type, cols);
            line("| " + f.getFileName() + " | " + whole + " | " + perRow + " |");
            checked++;
        }
        if (checked == 0) {
            differences++;
            line("| (no golden files with a kernel type found) | FAIL | FAIL |");
        }
    }

    private void seededParity() {
        line("");
        line("## Parity on seeded rows (" + PARITY_ROWS + " × " + COLS + ", chunks of " + PARITY_CHUNK_ROWS
                + " rows, " + THREADS + " threads at once)");
        line("");
        line("| type | importance | reference | result |");
        line("|---|---|---|---|");
        float[] x = seededRows(PARITY_ROWS, COLS, 42);
        float[] importance = seededImportance(COLS, 43);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (GgmlType type : CudaKernels.types()) {
                for (float[] weights : Arrays.asList(null, importance)) {
                    boolean cpu = Codecs.supported().contains(type);
                    byte[] reference = cpu ? cpuQuantize(Codecs.of(type), x, PARITY_ROWS, weights)
                            : quantize(GpuCodec.of(type), x, PARITY_ROWS, COLS, weights);
                    GpuCodec chunked = new GpuCodec(type, CudaProbe.DEFAULT_DEVICE, PARITY_CHUNK_ROWS * COLS);
                    List<Future<byte[]>> runs = new ArrayList<>();
                    for (int t = 0; t < THREADS; t++) {
                        runs.add(pool.submit(() -> quantize(chunked, x, PARITY_ROWS, COLS, weights)));
                    }
                    StringBuilder result = new StringBuilder();
                    for (Future<byte[]> run : runs) {
                        String r = compare(reference, run.get(), type, COLS);
                        if (result.indexOf(r) < 0) {
                            result.append(result.length() == 0 ? "" : "; ").append(r);
                        }
                    }
                    line("| %s | %s | %s | %s |".formatted(type, weights != null ? "yes" : "no",
                            cpu ? "CPU codec" : "GPU, one chunk, one thread", result));
                }
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("seeded parity run failed: " + causes(e), e);
        } finally {
            pool.shutdownNow();
        }
    }

    private void throughput(CudaKernels cuda) {
        line("");
        line("## Throughput (GB/s of float32 input; " + BENCH_ROWS + " × " + COLS + " = "
                + (long) BENCH_ROWS * COLS * 4 / 1_000_000 + " MB per pass, best of " + BENCH_REPEATS + ")");
        line("");
        line("| type | importance | kernel only | with host↔device copies | CPU codec, 1 thread | kernel resources |");
        line("|---|---|---|---|---|---|");
        float[] x = seededRows(BENCH_ROWS, COLS, 7);
        float[] importance = seededImportance(COLS, 8);
        long inBytes = (long) x.length * Float.BYTES;
        cuda.makeCurrent();
        try (DeviceInput in = new DeviceInput(cuda, x, importance)) {
            for (GgmlType type : CudaKernels.types()) {
                CudaKernels.Kernel k = CudaKernels.kernel(type);
                for (boolean imp : new boolean[] {false, true}) {
                    long dImportance = imp ? in.importance : 0;
                    double kernel = bestSeconds(() -> {
                        cuda.launchQuantize(k, in.stream, in.x, dImportance, in.rowSumSq, in.y, BENCH_ROWS, COLS);
                        cuda.synchronize(in.stream, "running " + CudaKernels.describe(k, BENCH_ROWS, COLS));
                    });
                    GpuCodec codec = GpuCodec.of(type);
                    byte[] out = new byte[Math.toIntExact(type.bytesFor((long) BENCH_ROWS * COLS))];
                    float[] w = imp ? importance : null;
                    double endToEnd = bestSeconds(() -> codec.quantizeRows(x, 0, BENCH_ROWS, COLS, w, out, 0));
                    String cpu = "—";
                    if (Codecs.supported().contains(type)) {
                        Codec c = Codecs.of(type);
                        byte[] cpuOut = new byte[Math.toIntExact(type.bytesFor((long) CPU_BENCH_ROWS * COLS))];
                        double t = bestSeconds(() -> c.quantizeRows(x, 0, CPU_BENCH_ROWS, COLS, w, cpuOut, 0));
                        cpu = "%.3f".formatted((double) CPU_BENCH_ROWS * COLS * Float.BYTES / t / 1e9);
                    }
                    line("| %s | %s | %.2f | %.2f | %s | %s |".formatted(type, imp ? "yes" : "no", inBytes / kernel / 1e9,
                            inBytes / endToEnd / 1e9, cpu, cuda.resources(type)));
                }
            }
        }
    }

    private void executorBalance() {
        int tasks = Math.min(Runtime.getRuntime().availableProcessors(), MAX_TASKS);
        line("");
        line("## A GPU executor of the quantize job (%d tasks at once, %d units each of %d × %d FP8 weights, best of %d)"
                .formatted(tasks, UNITS_PER_TASK, ExecutorBalance.UNIT_ROWS, ExecutorBalance.UNIT_COLS, BENCH_REPEATS));
        line("");
        line("Each task decodes a unit's FP8 blocks, rounds them to BF16, checks them finite, quantizes them and "
                + "dequantizes the result for the quality statistics: the job's calls, without its reads and writes. "
                + "GB/s of float32 values. The executor is bound by quantization while its tasks spend half their "
                + "time or more in the GPU codec's calls, host copies included (last pass).");
        line("");
        line("| type | CPU work alone | GPU quantization alone, with copies | whole units, GPU | tasks' time in quantization "
                + "| whole units, CPU only | GPU / CPU only | bound by | bytes |");
        line("|---|---|---|---|---|---|---|---|---|");
        try (ExecutorBalance balance = new ExecutorBalance(tasks, UNITS_PER_TASK, BENCH_REPEATS, 11)) {
            for (GgmlType type : BALANCE_TYPES) {
                if (CudaKernels.kernel(type) == null) {
                    continue;
                }
                ExecutorBalance.Row r = balance.measure(type, GpuCodec.of(type));
                if (!r.identical()) {
                    differences++;
                }
                line("| %s | %.2f | %.2f | %.2f | %.0f%% | %.2f | %.1f× | %s | %s |".formatted(type, r.cpuWork(),
                        r.gpuQuantize(), r.withGpu(), 100 * r.quantizeShare(), r.withoutGpu(),
                        r.withGpu() / r.withoutGpu(), r.boundByQuantization() ? "quantization" : "the CPU work",
                        r.identical() ? "identical to the CPU codec" : "FAIL: differ from the CPU codec"));
            }
        }
    }

    /** The benchmark input resident on the device, with room for any type's output. */
    private static final class DeviceInput implements AutoCloseable {
        final CudaKernels cuda;
        final CUstream_st stream;
        long x;
        long importance;
        long rowSumSq;
        long y;
        Pointer host;

        DeviceInput(CudaKernels cuda, float[] values, float[] weights) {
            this.cuda = cuda;
            this.stream = cuda.newStream();
            try {
                long bytes = (long) values.length * Float.BYTES;
                x = cuda.alloc(bytes, "the benchmark input");
                importance = cuda.alloc((long) weights.length * Float.BYTES, "the benchmark importance");
                rowSumSq = cuda.alloc((long) BENCH_ROWS * Float.BYTES, "the benchmark row sums");
                // Q8_0 has the most bytes per value of the kernel types
                y = cuda.alloc(GgmlType.Q8_0.bytesFor(values.length), "the benchmark output");
                host = cuda.allocHost(bytes, "the benchmark input");
                new FloatPointer(host).put(values, 0, values.length);
                cuda.copyToDevice(x, host, bytes, stream, "the benchmark input");
                cuda.synchronize(stream, "uploading the benchmark input");
                new FloatPointer(host).put(weights, 0, weights.length);
                cuda.copyToDevice(importance, host, (long) weights.length * Float.BYTES, stream, "the benchmark importance");
                cuda.synchronize(stream, "uploading the benchmark importance");
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            cuda.destroyStream(stream);
            cuda.free(x);
            cuda.free(importance);
            cuda.free(rowSumSq);
            cuda.free(y);
            cuda.freeHost(host);
        }
    }

    private static String causes(Throwable t) {
        StringBuilder s = new StringBuilder(t.toString());
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            s.append(", caused by ").append(c);
        }
        return s.toString();
    }

    /** One warm-up run, then the fastest of {@link #BENCH_REPEATS}, in seconds. */
    private static double bestSeconds(Runnable r) {
        r.run();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < BENCH_REPEATS; i++) {
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / 1e9;
    }

    private String compare(byte[] expected, byte[] actual, GgmlType type, int cols) {
        int at = Arrays.mismatch(expected, actual);
        if (at < 0) {
            return "ok";
        }
        differences++;
        if (expected.length != actual.length) {
            return "FAIL: %d bytes, expected %d".formatted(actual.length, expected.length);
        }
        long rowBytes = type.bytesFor(cols);
        return "FAIL: first difference at byte %d (row %d, block %d, byte %d of the block)".formatted(at,
                at / rowBytes, at % rowBytes / type.blockBytes(), at % type.blockBytes());
    }

    private static byte[] quantize(Codec codec, float[] x, int rows, int cols, float[] importance) {
        byte[] out = new byte[Math.toIntExact(codec.type().bytesFor((long) rows * cols))];
        codec.quantizeRows(x, 0, rows, cols, importance, out, 0);
        return out;
    }

    /** The CPU codec's bytes, rows in parallel (each row is independent). */
    private static byte[] cpuQuantize(Codec codec, float[] x, int rows, float[] importance) {
        int rowBytes = Math.toIntExact(codec.type().bytesFor(COLS));
        byte[] out = new byte[rows * rowBytes];
        IntStream.range(0, rows).parallel()
                .forEach(r -> codec.quantizeRow(x, r * COLS, COLS, importance, out, r * rowBytes));
        return out;
    }

    /**
     * Seeded rows of {@code cols} values that visit the quantizers' rare paths: rows cycle through
     * 0.02·N(0,1) (a weight matrix), uniform [-1, 1), heavy-tailed (Cauchy), and small values with
     * sparse large spikes; every third row starts with an all-zero super-block.
     */
    static float[] seededRows(int rows, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = switch (r % 4) {
                    case 0 -> 0.02 * gaussian(random);
                    case 1 -> 2 * random.nextDouble() - 1;
                    case 2 -> 0.01 * Math.tan(Math.PI * (random.nextDouble() - 0.5));
                    default -> random.nextDouble() < 0.01 ? 50 * gaussian(random) : 0.001 * gaussian(random);
                };
                x[r * cols + c] = r % 3 == 0 && c < 256 ? 0f : (float) v;
            }
        }
        return x;
    }

    /** Log-normal weights, like an imatrix's mean squared activations, with some all-zero groups of 16. */
    static float[] seededImportance(int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] w = new float[cols];
        for (int c = 0; c < cols; c++) {
            double v = Math.exp(1.5 * gaussian(random));
            w[c] = c / 16 % 41 == 3 ? 0f : (float) v;
        }
        return w;
    }

    private static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static float[] floats(Path p) {
        byte[] b = bytes(p);
        return LittleEndian.toFloats(b, 0, b.length / Float.BYTES);
    }

    /** Appends a line to the report, echoes it, and rewrites the report file (temp file, then rename). */
    private void line(String s) {
        text.append(s).append('\n');
        log.println(s);
        try {
            Path tmp = report.resolveSibling("." + REPORT + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, report, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
