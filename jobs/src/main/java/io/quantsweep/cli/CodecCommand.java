package io.quantsweep.cli;

import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.raw.RawRowCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code quantsweep codec quantize|dequantize}: one ggml codec over files of raw rows ({@link RawRowCodec}). */
@Command(name = "codec", mixinStandardHelpOptions = true,
        description = "Quantize or decode files of raw rows with one ggml codec (the golden vectors' format).",
        subcommands = {CodecCommand.Quantize.class, CodecCommand.Dequantize.class})
final class CodecCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        QuantSweep.requireSubcommand(spec);
    }

    /** --type and --cols, shared by both directions. */
    static final class RowShape {
        @Option(names = "--type", required = true, paramLabel = "TYPE", converter = TypeConverter.class,
                completionCandidates = SupportedTypes.class, description = "ggml type, one of: ${COMPLETION-CANDIDATES}")
        GgmlType type;

        @Option(names = "--cols", required = true, paramLabel = "N",
                description = "values per row, a multiple of the type's block size")
        int cols;

        RawRowCodec codec() {
            return RawRowCodec.of(type, cols);
        }
    }

    @Command(name = "quantize", mixinStandardHelpOptions = true,
            description = "Quantize row-major little-endian float32 rows into raw ggml bytes.")
    static final class Quantize implements Callable<Integer> {
        @Mixin
        RowShape shape;

        @Option(names = "--imatrix", paramLabel = "IMP.f32",
                description = "importance vector: one little-endian float32 per column (Q8_0, F16, BF16 and F32 ignore it, as ggml does)")
        Path imatrix;

        @Parameters(index = "0", paramLabel = "IN.f32", description = "input rows")
        Path in;

        @Parameters(index = "1", paramLabel = "OUT.bin", description = "output, replaced only when complete")
        Path out;

        @Override
        public Integer call() throws IOException {
            RawRowCodec codec = shape.codec();
            float[] importance = imatrix == null ? null : codec.readImportance(InputFiles.seekable(imatrix, "the importance reader"));
            codec.quantize(InputFiles.seekable(in, "the raw row reader"), importance, out);
            return 0;
        }
    }

    @Command(name = "dequantize", mixinStandardHelpOptions = true,
            description = "Decode raw ggml bytes into row-major little-endian float32 rows.")
    static final class Dequantize implements Callable<Integer> {
        @Mixin
        RowShape shape;

        @Parameters(index = "0", paramLabel = "IN.bin", description = "input rows of ggml bytes")
        Path in;

        @Parameters(index = "1", paramLabel = "OUT.f32", description = "output, replaced only when complete")
        Path out;

        @Override
        public Integer call() throws IOException {
            shape.codec().dequantize(InputFiles.seekable(in, "the raw row reader"), out);
            return 0;
        }
    }

    /** {@link GgmlType#parse}, with its message as picocli's reason. */
    static final class TypeConverter implements ITypeConverter<GgmlType> {
        @Override
        public GgmlType convert(String value) {
            try {
                return GgmlType.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** The types that have a codec, for the help text. */
    static final class SupportedTypes implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Codecs.supported().stream().map(Enum::name).iterator();
        }
    }
}
