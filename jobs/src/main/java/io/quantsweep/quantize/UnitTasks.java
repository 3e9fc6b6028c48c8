package io.quantsweep.quantize;

import io.quantsweep.format.safetensors.SafetensorsCheckpoint;
import io.quantsweep.gpu.CudaProbe;
import io.quantsweep.gpu.Device;
import io.quantsweep.gpu.Devices;
import io.quantsweep.io.HadoopFileSystems;
import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.numeric.Fp8BlockScaling;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The executor side of the unit stage: what a task needs besides its units, and the function that
 * runs a partition's units. Executors read their own byte ranges of the checkpoint; Spark only ships
 * the units (rows, types, importance vectors), never weights.
 */
final class UnitTasks {

    /** The units of one partition. */
    record Bundle(List<WorkUnit> units) implements Serializable {
    }

    /**
     * A test hook that makes the part of unit {@code unit} (first variant) fail halfway through its
     * write, set through the Spark configuration ({@link QuantizeJob#FAULT_UNIT}, {@link QuantizeJob#FAULT_MODE}).
     */
    record Fault(int unit, Mode mode) implements Serializable {
        /** No fault (no unit has a negative number). */
        static final Fault NONE = new Fault(-1, Mode.FIRST_ATTEMPT);

        enum Mode {
            /** Only the first attempt of the task dies (a retry succeeds). */
            FIRST_ATTEMPT,
            /** Every attempt dies (the stage and the run fail). */
            EVERY_ATTEMPT,
            /** Every attempt meets a full disk. */
            DISK_FULL;

            static Mode parse(String s) {
                return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            }
        }

        PartStore.WriteHook hook(int attempt) {
            return (variant, u) -> {
                if (u != unit || variant != 0) {
                    return;
                }
                switch (mode) {
                    case FIRST_ATTEMPT -> {
                        if (attempt == 0) {
                            throw new InjectedFault("injected failure of unit " + unit + " (attempt " + attempt + ")");
                        }
                    }
                    case EVERY_ATTEMPT -> throw new InjectedFault("injected failure of unit " + unit);
                    case DISK_FULL -> throw new IOException("No space left on device (injected while writing unit " + unit + ")");
                }
            };
        }
    }

    /** The failure {@link Fault} injects. */
    static final class InjectedFault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFault(String message) {
            super(message);
        }
    }

    /** Everything a task needs but its units; {@code committed} holds {@code "variant/shard"} of files already committed. */
    record Settings(Broadcast<SerializableConfiguration> conf, String model, Fp8BlockScaling scaling, String work,
            List<String> variants, SourcePrecision precision, Device device, Set<String> committed, Fault fault,
            LongAccumulator unitsDone, LongAccumulator bytesDone, LongAccumulator bytesRead) implements Serializable {
    }

    private UnitTasks() {
    }

    /** Runs a partition's units in order. */
    static List<UnitRunner.Result> run(Settings s, Bundle bundle) throws IOException {
        TaskContext task = TaskContext.get();
        int attemptNumber = task == null ? 0 : task.attemptNumber();
        String attempt = task == null ? "driver" : "t" + task.taskAttemptId();
        Path modelDir = new Path(s.model());
        FileSystem modelFs = HadoopFileSystems.of(modelDir, s.conf().value().value());
        Path work = new Path(s.work());
        PartStore store = new PartStore(HadoopFileSystems.of(work, s.conf().value().value()), work);
        PartStore.WriteHook hook = s.fault().hook(attemptNumber);
        List<UnitRunner.Result> results = new ArrayList<>(bundle.units().size());
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(modelFs, modelDir, s.scaling())) {
            int gpu = task == null || s.device() == Device.CPU ? CudaProbe.DEFAULT_DEVICE
                    : TaskGpu.ordinal(task.resourcesJMap(), task.partitionId(), attemptNumber,
                            CudaProbe.deviceCount());
            UnitQuantizer quantizer = new UnitQuantizer(checkpoint, s.precision(), type -> codec(type, s.device(), gpu));
            UnitRunner runner = new UnitRunner(store, quantizer, s.variants(), attempt, hook);
            for (WorkUnit u : bundle.units()) {
                boolean[] needed = new boolean[s.variants().size()];
                for (int v = 0; v < needed.length; v++) {
                    needed[v] = !s.committed().contains(v + "/" + u.shards().get(v));
                }
                UnitRunner.Result r = runner.run(u, needed);
                results.add(r);
                s.unitsDone().add(1);
                s.bytesDone().add(u.sourceBytes());
                s.bytesRead().add(r.bytesRead());
            }
        }
        return results;
    }

    /**
     * The codec of {@code type} on {@code device}, with CUDA device {@code gpu} as the GPU: the GPU's where
     * it has a kernel (or auto finds none usable), else the CPU's.
     */
    static Codec codec(GgmlType type, Device device, int gpu) {
        if (device == Device.GPU && !Devices.gpuTypes().contains(type)) {
            return Codecs.of(type);
        }
        return Devices.codec(type, device, gpu);
    }
}
