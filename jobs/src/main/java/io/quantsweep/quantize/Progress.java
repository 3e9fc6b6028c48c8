package io.quantsweep.quantize;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress lines of a long stage, printed by a daemon thread of the driver every interval while the
 * figures move: units done of all, gigabytes read, the read rate and the time left at that rate, e.g.
 * {@code quantize: 120/4000 units (3.0%), 12.3/700.0 GB, read 1.23 GB/s, ETA 9m 20s}. The figures
 * come from suppliers (Spark accumulators in the job), so this class knows nothing of Spark.
 */
public final class Progress implements AutoCloseable {
    private final PrintWriter out;
    private final String stage;
    private final long totalUnits;
    private final long totalBytes;
    private final LongSupplier unitsDone;
    private final LongSupplier bytesDone;
    private final LongSupplier bytesRead;
    private final long start = System.nanoTime();
    private final Thread thread;

    /**
     * @param bytesDone source bytes of finished units, read or skipped
     * @param bytesRead source bytes actually read
     */
    public Progress(PrintWriter out, String stage, long totalUnits, long totalBytes, LongSupplier unitsDone,
            LongSupplier bytesDone, LongSupplier bytesRead, Duration interval) {
        this.out = out;
        this.stage = stage;
        this.totalUnits = totalUnits;
        this.totalBytes = totalBytes;
        this.unitsDone = unitsDone;
        this.bytesDone = bytesDone;
        this.bytesRead = bytesRead;
        if (interval.isZero() || interval.isNegative()) {
            thread = null;
            return;
        }
        thread = new Thread(() -> loop(interval.toMillis()), "quantsweep-progress");
        thread.setDaemon(true);
        thread.start();
    }

    /** Prints a line whenever units were done since the last. */
    private void loop(long millis) {
        long printed = -1;
        ReadRate rate = new ReadRate();
        try {
            while (true) {
                Thread.sleep(millis);
                long done = unitsDone.getAsLong();
                double bytesPerSecond = rate.observe(System.nanoTime(), bytesRead.getAsLong());
                if (done != printed) {
                    printed = done;
                    out.println(line(stage, done, totalUnits, bytesDone.getAsLong(), totalBytes, bytesPerSecond));
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The read rate since the first observation that saw bytes read, not since the stage's start: a
     * resumed run first verifies the units an earlier attempt finished, reading nothing, and start-up
     * would lower the rate as much, making the time left look hours long.
     */
    static final class ReadRate {
        private long firstAt = -1;
        private long firstBytes;

        /** Bytes per second at {@code nanos}, with {@code bytes} read by then; 0 until a read was seen. */
        double observe(long nanos, long bytes) {
            if (firstAt < 0 && bytes > 0) {
                firstAt = nanos;
                firstBytes = bytes;
            }
            return firstAt < 0 ? 0 : rate(bytes - firstBytes, nanos - firstAt);
        }
    }

    /** Bytes per second; 0 before any time has passed. */
    static double rate(long bytes, long nanos) {
        return nanos > 0 ? bytes / (nanos / 1e9) : 0;
    }

    /** One progress line, at {@code rate} bytes read per second. */
    public static String line(String stage, long done, long total, long bytesDone, long totalBytes, double rate) {
        String eta = rate > 0 ? duration((long) ((totalBytes - bytesDone) / rate)) : "unknown";
        return String.format(Locale.ROOT, "%s: %d/%d units (%.1f%%), %.1f/%.1f GB, read %.2f GB/s, ETA %s", stage, done, total,
                total == 0 ? 100.0 : 100.0 * done / total, bytesDone / 1e9, totalBytes / 1e9, rate / 1e9, eta);
    }

    /** {@code 1h 02m}, {@code 9m 20s} or {@code 42s}. */
    static String duration(long seconds) {
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, seconds % 3600 / 60);
        }
        if (seconds >= 60) {
            return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
        }
        return seconds + "s";
    }

    /** Stops the thread and prints the final line. */
    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // the stage's whole read rate, start-up included
        out.println(line(stage, unitsDone.getAsLong(), totalUnits, bytesDone.getAsLong(), totalBytes,
                rate(bytesRead.getAsLong(), System.nanoTime() - start)));
        out.flush();
    }
}
