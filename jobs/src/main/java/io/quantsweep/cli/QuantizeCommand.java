package io.quantsweep.cli;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.format.gguf.GgufSplit;
import io.quantsweep.gpu.Device;
import io.quantsweep.quantize.QuantizeJob;
import io.quantsweep.quantize.QuantizeOptions;
import io.quantsweep.quantize.ShardAssembler;
import io.quantsweep.quantize.SourcePrecision;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code quantize}: many GGUF variants of a checkpoint from one read of its weights, on Spark
 * ({@link QuantizeJob}). Runs in local mode unless {@code --master} names a cluster or the command runs
 * under {@code spark-submit}, whose master then applies.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {
            "Quantize a Hugging Face checkpoint into llama.cpp GGUF variants, bit for bit as llama-quantize would, "
                    + "reading the weights once for all variants.",
            "",
            "Output: OUT/<variant>/<model>-<variant>.gguf (or -0000i-of-0000N.gguf shards; <variant> with '_' for "
                    + "characters other than letters, digits, '.', '_' and '-', as pure_Q8_0 for pure:Q8_0), OUT/_plan/ and OUT/_stats/ (Parquet), OUT/_run.json, OUT/_SUCCESS. A killed run resumes when rerun with the same arguments; other arguments "
                    + "into the same directory are refused."})
public final class QuantizeCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "URI", description = "checkpoint directory (config.json, tokenizer, safetensors); any Hadoop URI")
    String model;

    @Option(names = "--variants", required = true, split = ",", paramLabel = "V[,V...]",
            description = "variants: llama.cpp mixtures (Q4_K_M, Q3_K_M, Q2_K ...), built-in recipes (DQ3_K_M, Q2_K_L), "
                    + "pure:TYPE or a ggml type, or recipe files (conf/recipes/x.yaml)")
    List<String> variants;

    @Option(names = "--out", required = true, paramLabel = "URI", description = "output directory: new, empty, or an unfinished run of the same arguments")
    String out;

    @Option(names = "--imatrix", paramLabel = "URI", description = "importance matrix (llama-imatrix GGUF or legacy .dat)")
    String imatrix;

    @Option(names = "--mla", defaultValue = "split", paramLabel = "split|legacy",
            description = "MLA tensor layout: split (attn_k_b + attn_v_b, default) or legacy (attn_kv_b)")
    String mla;

    @ArgGroup(exclusive = true)
    Split split;

    static final class Split {
        @Option(names = "--split-max-size", paramLabel = "SIZE", description = "shards of at most SIZE tensor bytes (M or G: 10^6, 10^9), as gguf-split")
        String maxSize;

        @Option(names = "--split-max-tensors", paramLabel = "N", description = "shards of at most N tensors, as gguf-split")
        Long maxTensors;
    }

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu",
            description = {"where executors quantize: auto (a GPU when present, else the CPU), cpu, or gpu (fail without one); "
                    + "same bytes everywhere. A task uses the GPU Spark assigned it; without one (local mode) tasks "
                    + "spread over the GPUs CUDA_VISIBLE_DEVICES shows"})
    String device;

    @Option(names = "--source-precision", defaultValue = "bf16", paramLabel = "f32|bf16",
            description = {"what the codecs see: bf16 (default) rounds the FP8-dequantized weights to BF16 first, as "
                    + "convert_hf_to_gguf.py does before llama-quantize on the usual path, so variants equal llama-quantize's "
                    + "from 'convert --type BF16'; f32 keeps the float32 values and equals llama-quantize's from 'convert --type F32'"})
    String sourcePrecision;

    @Option(names = "--unit-size", defaultValue = "64M", paramLabel = "SIZE",
            description = "float32 bytes of rows per work unit (K, M, G: KiB, MiB, GiB; default ${DEFAULT-VALUE}, at most 1G); a task holds about three units' worth")
    String unitSize;

    @Option(names = "--partitions", defaultValue = "0", paramLabel = "N", description = "partitions of the unit stage (default: four per core)")
    int partitions;

    @Option(names = "--assemble", defaultValue = "auto", paramLabel = "auto|copy",
            description = "join parts with the file system's concat where it has one (auto), or always by copying")
    String assemble;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default local[*]; under spark-submit, spark-submit's)")
    String master;

    @Option(names = "--progress-interval", defaultValue = "10", paramLabel = "SECONDS", description = "seconds between progress lines (default ${DEFAULT-VALUE}); 0 for only each stage's last line")
    long progressSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        QuantizeOptions options = options();
        if (imatrix != null) {
            // before the Spark session starts: the planner would block opening a FIFO, or call a pipe empty
            InputFiles.seekable(new org.apache.hadoop.fs.Path(imatrix), "the imatrix reader");
        }
        PrintWriter w = spec.commandLine().getOut();
        try (LocalSession session = LocalSession.open("quantsweep quantize", master)) {
            QuantizeJob.run(session.spark(), options, w);
        }
        return 0;
    }

    QuantizeOptions options() {
        QuantizeOptions o = QuantizeOptions.of(model, variants, out)
                .withMla(EnumOptions.parse(spec, "--mla", mla, MlaLayout.class))
                .withDevice(EnumOptions.parse(spec, "--device", device, Device.class))
                .withSourcePrecision(EnumOptions.parse(spec, "--source-precision", sourcePrecision, SourcePrecision.class))
                .withUnitBytes(unitBytes())
                .withAssembly(EnumOptions.parse(spec, "--assemble", assemble, ShardAssembler.Mode.class))
                .withProgressInterval(Duration.ofSeconds(Math.max(0, progressSeconds)));
        if (partitions < 0) {
            throw new ParameterException(spec.commandLine(), "--partitions must not be negative, not " + partitions);
        }
        o = o.withPartitions(partitions);
        if (imatrix != null) {
            o = o.withImatrix(imatrix);
        }
        Optional<GgufSplit.Limit> limit = Optional.empty();
        try {
            if (split != null && split.maxSize != null) {
                limit = Optional.of(GgufSplit.Limit.parseSize(split.maxSize));
            } else if (split != null && split.maxTensors != null) {
                limit = Optional.of(GgufSplit.Limit.maxTensors(split.maxTensors));
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return limit.isPresent() ? o.withSplit(limit.get()) : o;
    }

    private long unitBytes() {
        long bytes = bytes("--unit-size", unitSize);
        if (bytes > QuantizeOptions.MAX_UNIT_BYTES) {
            throw new ParameterException(spec.commandLine(), "--unit-size must be at most 1G (a unit's arrays are Java"
                    + " arrays, whose length is an int), not '" + unitSize + "'");
        }
        return bytes;
    }

    /** {@code 64M} → 64 MiB; plain numbers are bytes. */
    private long bytes(String option, String text) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        int shift = s.endsWith("K") ? 10 : s.endsWith("M") ? 20 : s.endsWith("G") ? 30 : 0;
        try {
            long n = Long.parseLong(shift == 0 ? s : s.substring(0, s.length() - 1));
            if (n < 1 || n > Long.MAX_VALUE >> shift) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), option + " must be a positive size such as 64M, not '" + text + "'");
        }
    }
}
