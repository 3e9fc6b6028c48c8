package io.quantsweep.quantize;

import io.quantsweep.arch.OutputTensor;
import java.util.Locale;

/**
 * The precision of the weights the codecs see, which fixes which llama.cpp path a variant reproduces.
 *
 * <ul>
 *   <li>{@link #BF16} (the default): every tensor that llama.cpp's converter writes in the output type
 *       (not the always-F32 norms, router and biases) is rounded to bfloat16 first, as
 *       {@code convert_hf_to_gguf.py --outtype bf16} does before {@code llama-quantize} runs. A variant
 *       then equals what {@code llama-quantize} makes from {@code convert --type BF16}: the path behind
 *       the published DeepSeek GGUFs, and the only one that fits a 671B model on one machine's disk.
 *   <li>{@link #F32}: the FP8-dequantized float32 values as they are, equal to {@code llama-quantize}
 *       from {@code convert --type F32} (four times the intermediate file, slightly closer to the source).
 * </ul>
 */
public enum SourcePrecision {
    F32, BF16;

    /** Parses {@code f32} or {@code bf16} in any case. */
    public static SourcePrecision parse(String text) {
        String upper = text.trim().toUpperCase(Locale.ROOT);
        for (SourcePrecision p : values()) {
            if (p.name().equals(upper)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown source precision '" + text + "'; expected f32 or bf16");
    }

    /** Whether the values of {@code t} are rounded before quantization. */
    public boolean rounds(OutputTensor t) {
        return this == BF16 && !t.alwaysF32();
    }

    /** The lower-case name the command line and the run manifest use. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
