package io.quantsweep.cli;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.convert.CheckpointConverter;
import io.quantsweep.format.gguf.GgufPlan;
import io.quantsweep.quant.GgmlType;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code convert --model DIR --type F32|F16|BF16 --out FILE [--mla split|legacy]}: the unquantized
 * GGUF of a Hugging Face checkpoint ({@link CheckpointConverter}), written through a temporary file
 * that becomes {@code FILE} only when complete. A config or checkpoint the mapping refuses ends the
 * command with a {@code ModelMappingException} naming the key or tensor.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a Hugging Face checkpoint into an unquantized GGUF (F32, F16 or BF16) as llama.cpp's converter would.")
public final class ConvertCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "checkpoint directory (config.json, tokenizer, safetensors)")
    String model;

    @Option(names = "--type", required = true, paramLabel = "F32|F16|BF16", description = "type of the weight tensors")
    String type;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "GGUF file to write")
    java.nio.file.Path out;

    @Option(names = "--mla", defaultValue = "split", paramLabel = "split|legacy",
            description = "MLA tensor layout: split (attn_k_b + attn_v_b, default) or legacy (attn_kv_b)")
    String mla;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        GgmlType t;
        try {
            t = GgmlType.parse(type);
            CheckpointConverter.fileType(t);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--type must be F32, F16 or BF16, not '" + type + "'");
        }
        MlaLayout layout = EnumOptions.parse(spec, "--mla", mla, MlaLayout.class);
        Path dir = new Path(model);
        GgufPlan plan = CheckpointConverter.convert(HadoopFiles.fileSystem(dir), dir, out, t, layout);
        PrintWriter w = spec.commandLine().getOut();
        w.printf("wrote %s: %d tensors (%s, %s MLA layout), %d KVs, %d bytes%n", out, plan.tensors().size(), t,
                layout.name().toLowerCase(Locale.ROOT), plan.metadata().size(), plan.fileSize());
        w.flush();
        return 0;
    }
}
