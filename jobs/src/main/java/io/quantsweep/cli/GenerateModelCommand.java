package io.quantsweep.cli;

import io.quantsweep.arch.deepseek.DeepseekV3Generator;
import io.quantsweep.arch.deepseek.DeepseekV3Preset;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code generate-model --preset tiny|small|bench --out DIR [--seed N] [--tokenizer DIR]}: writes a
 * DeepSeek-V3-shaped FP8 checkpoint with seeded weights ({@link DeepseekV3Generator}). The same
 * preset, seed and tokenizer give the same bytes.
 */
@Command(name = "generate-model", mixinStandardHelpOptions = true,
        description = "Write a DeepSeek-V3-shaped FP8 safetensors checkpoint with seeded weights and a tokenizer.")
public final class GenerateModelCommand implements Callable<Integer> {

    @Option(names = "--preset", required = true, paramLabel = "tiny|small|bench",
            description = "model size: tiny (~10 MB), small (~80 MB) or bench (~2 GB)")
    String preset;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory to write (created if needed)")
    String out;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "weight seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--tokenizer", paramLabel = "DIR",
            description = "copy tokenizer.json and tokenizer_config.json from DIR instead of the built-in small vocabulary")
    String tokenizer;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        DeepseekV3Preset p = EnumOptions.parse(spec, "--preset", preset, DeepseekV3Preset.class);
        Path dir = new Path(out);
        FileSystem fs = HadoopFiles.fileSystem(dir);
        Optional<Path> tok = Optional.ofNullable(tokenizer).map(Path::new);
        List<String> files = DeepseekV3Generator.generate(fs, dir, p, seed, tok);
        long bytes = 0;
        for (String f : files) {
            bytes += fs.getFileStatus(new Path(dir, f)).getLen();
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf("wrote %s (%s preset, seed %d): %d files, %d bytes%n", dir, p.name().toLowerCase(Locale.ROOT), seed,
                files.size(), bytes);
        w.flush();
        return 0;
    }
}
