package io.quantsweep.arch;

import static io.quantsweep.arch.ModelMappingException.Reason.MISSING_TENSOR;
import static io.quantsweep.arch.ModelMappingException.Reason.TENSOR_MISMATCH;
import static io.quantsweep.arch.ModelMappingException.Reason.UNEXPECTED_TENSOR;

import io.quantsweep.format.gguf.GgufMetadata;
import io.quantsweep.format.safetensors.SafetensorsCheckpoint;
import io.quantsweep.format.safetensors.TensorInfo;
import io.quantsweep.quant.numeric.Fp8BlockScaling;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The GGUF a config converts to, known before any tensor is read: the architecture's metadata
 * ({@code general.architecture} and the {@code <arch>.*} hyperparameters, without tokenizer or file
 * type), the output tensors in llama.cpp's order with their checkpoint sources, and which checkpoint
 * tensors the conversion drops on purpose (DeepSeek's multi-token-prediction layer).
 *
 * <p>A planner needs nothing else; {@link #validate} holds a real checkpoint to it.
 *
 * @param config the config the mapping was made from
 * @param metadata {@code general.architecture} then the architecture's keys, in converter order
 * @param tensors output tensors in {@link OutputTensor#LLAMA_ORDER}
 * @param dropped checkpoint tensor names the conversion leaves out
 * @param fp8BlockScaling the FP8 block size the config declares (for opening the checkpoint)
 */
public record ModelMapping(HfConfig config, GgufMetadata metadata, List<OutputTensor> tensors, Predicate<String> dropped,
        Fp8BlockScaling fp8BlockScaling) {

    public ModelMapping {
        Objects.requireNonNull(config, "config");
        metadata = new GgufMetadata(metadata);
        tensors = List.copyOf(tensors);
        Objects.requireNonNull(dropped, "dropped");
        Objects.requireNonNull(fp8BlockScaling, "fp8BlockScaling");
        Set<String> names = new HashSet<>();
        for (OutputTensor t : tensors) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' is mapped twice");
            }
        }
    }

    /** The metadata (a copy). */
    @Override
    public GgufMetadata metadata() {
        return new GgufMetadata(metadata);
    }

    /** The output tensor {@code name}. */
    public OutputTensor tensor(String name) {
        for (OutputTensor t : tensors) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new NoSuchElementException(config.source() + ": the mapping has no tensor '" + name + "'");
    }

    /** Elements of all output tensors. */
    public long parameterCount() {
        long n = 0;
        for (OutputTensor t : tensors) {
            n = Math.addExact(n, t.elementCount());
        }
        return n;
    }

    /**
     * {@code general.size_label} as llama.cpp's converter derives it from the tensors:
     * {@code <experts>x<shared + one expert's parameters>} for a mixture of experts (tensors named
     * {@code …_exps.…}), else the parameter count, e.g. {@code 256x20B} for DeepSeek-V3.
     */
    public String sizeLabel() {
        long shared = 0;
        long perExpert = 0;
        long expertSum = 0;
        long expertTensors = 0;
        for (OutputTensor t : tensors) {
            long size = t.elementCount();
            if (t.name().contains("_exps.")) {
                long[] ne = t.ne();
                // numpy's shape[-3] for weights, shape[-2] for biases: the expert dimension
                long experts = t.name().contains(".bias") ? ne[1] : ne[2];
                perExpert += size / experts;
                expertSum += experts;
                expertTensors++;
            } else {
                shared += size;
            }
        }
        long experts = expertTensors > 0 ? expertSum / expertTensors : 0;
        return experts > 0 ? experts + "x" + roundedCount(shared + perExpert) : roundedCount(parameterCount());
    }

    /** A parameter count with a K/M/B/T suffix and at least two significant digits, as gguf-py writes it. */
    static String roundedCount(long count) {
        double scaled;
        String suffix;
        if (count > 1e12) {
            scaled = count * 1e-12;
            suffix = "T";
        } else if (count > 1e9) {
            scaled = count * 1e-9;
            suffix = "B";
        } else if (count > 1e6) {
            scaled = count * 1e-6;
            suffix = "M";
        } else {
            scaled = count * 1e-3;
            suffix = "K";
        }
        // Python's round() and format() both round half to even on the exact binary value
        String whole = BigDecimal.valueOf(Math.rint(scaled)).toBigInteger().toString().replaceFirst("^0+", "");
        int decimals = Math.max(2 - whole.length(), 0);
        return new BigDecimal(scaled).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString() + suffix;
    }

    /**
     * Holds a checkpoint to the mapping: every source tensor exists with the shape the config implies
     * and a floating-point dtype, FP8 sources with their block scales, and every checkpoint tensor is a
     * source, the {@code _scale_inv} of one, or dropped on purpose.
     *
     * @throws ModelMappingException ({@code MISSING_TENSOR}, {@code TENSOR_MISMATCH},
     *     {@code UNEXPECTED_TENSOR}) naming the checkpoint and the tensor
     * @throws io.quantsweep.format.safetensors.SafetensorsFormatException ({@code MISSING_SCALE},
     *     {@code BAD_SCALE}) naming the shard and the tensor
     */
    public void validate(SafetensorsCheckpoint checkpoint) throws IOException {
        Map<String, String> usedBy = new LinkedHashMap<>();
        for (OutputTensor t : tensors) {
            for (SourceSlice s : t.sources()) {
                if (usedBy.putIfAbsent(s.tensor(), t.name()) != null) {
                    continue;
                }
                if (!checkpoint.tensorNames().contains(s.tensor())) {
                    throw new ModelMappingException(MISSING_TENSOR, checkpoint.location() + ": no tensor '" + s.tensor()
                            + "', which GGUF tensor '" + t.name() + "' needs (" + config.source() + " implies it)");
                }
                TensorInfo info = checkpoint.tensor(s.tensor());
                if (!info.shape().equals(s.shape()) || !info.dtype().isFloat()) {
                    throw new ModelMappingException(TENSOR_MISMATCH, checkpoint.location() + ": tensor '" + s.tensor()
                            + "' is " + info.dtype() + " " + info.shape() + "; " + config.source()
                            + " implies a floating-point " + s.shape() + " for GGUF tensor '" + t.name() + "'");
                }
                checkpoint.blockScales(s.tensor());
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : checkpoint.tensorNames()) {
            boolean scaleOfSource = name.endsWith(Fp8BlockScaling.SCALE_SUFFIX)
                    && usedBy.containsKey(name.substring(0, name.length() - Fp8BlockScaling.SCALE_SUFFIX.length()));
            if (!usedBy.containsKey(name) && !scaleOfSource && !dropped.test(name)) {
                unexpected.add(name);
            }
        }
        if (!unexpected.isEmpty()) {
            throw new ModelMappingException(UNEXPECTED_TENSOR, checkpoint.location() + ": " + unexpected.size()
                    + " tensor(s) have no GGUF counterpart under " + config.source() + ", e.g. '" + unexpected.get(0) + "'");
        }
    }
}
