package io.quantsweep.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.quantsweep.format.gguf.GgufHeader;
import io.quantsweep.format.gguf.GgufReader;
import io.quantsweep.format.gguf.GgufTensorInfo;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.format.gguf.GgufValueType;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gguf-info FILE}: a GGUF file's KVs (arrays shown as element type, length and first few
 * elements) and tensor table (name, type, shape in GGUF order, absolute file offset, bytes), or the
 * same as one JSON object with {@code --json}. The file is read as untrusted; a refused file ends
 * the command with the {@code GgufFormatException}, whose reason and offset are in its message.
 */
@Command(name = "gguf-info", mixinStandardHelpOptions = true,
        description = "Print the KVs and tensor table of a GGUF file.")
public final class GgufInfoCommand implements Callable<Integer> {
    private static final int MAX_TEXT_STRING = 80;

    @Parameters(index = "0", paramLabel = "FILE", description = "the GGUF file")
    Path file;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Option(names = "--array-items", defaultValue = "3", paramLabel = "N",
            description = "array elements to show (default: ${DEFAULT-VALUE})")
    int arrayItems;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (arrayItems < 0) {
            throw new IllegalArgumentException("--array-items must be >= 0, not " + arrayItems);
        }
        GgufHeader h;
        try (GgufReader reader = GgufReader.open(InputFiles.seekable(file, "the GGUF reader"))) {
            h = reader.header();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            printJson(h, out);
        } else {
            printText(h, out);
        }
        out.flush();
        return 0;
    }

    private void printText(GgufHeader h, PrintWriter out) {
        out.printf("%s%n", printable(h.source()));
        out.printf("GGUF v%d, %d KVs, %d tensors, alignment %d, data section at byte %d, file %d bytes%n%n",
                h.version(), h.metadata().size(), h.tensors().size(), h.alignment(), h.dataOffset(), h.fileSize());
        Map<String, GgufValue> kvs = h.metadata().asMap();
        int keyWidth = kvs.keySet().stream().mapToInt(k -> printable(k).length()).max().orElse(3);
        out.printf("%-" + keyWidth + "s  %-7s  %s%n", "key", "type", "value");
        for (Map.Entry<String, GgufValue> kv : kvs.entrySet()) {
            out.printf("%-" + keyWidth + "s  %-7s  %s%n", printable(kv.getKey()), kv.getValue().type(), text(kv.getValue()));
        }
        out.println();
        int nameWidth = h.tensors().stream().mapToInt(t -> printable(t.name()).length()).max().orElse(4);
        String row = "%5s  %-" + nameWidth + "s  %-7s  %-24s  %14s  %14s%n";
        out.printf(row, "#", "name", "type", "shape", "offset", "bytes");
        for (int i = 0; i < h.tensors().size(); i++) {
            GgufTensorInfo t = h.tensors().get(i);
            out.printf(row, i, printable(t.name()), t.type(), Arrays.toString(t.ne()), h.fileOffset(t), t.byteSize());
        }
    }

    private String text(GgufValue v) {
        if (v instanceof GgufValue.Array a) {
            StringBuilder sb = new StringBuilder().append(a.elementType()).append('[').append(a.length()).append("] [");
            int n = Math.min(arrayItems, a.length());
            for (int i = 0; i < n; i++) {
                sb.append(i > 0 ? ", " : "").append(scalarText(a.element(i), true));
            }
            return sb.append(a.length() > n ? (n > 0 ? ", ...]" : "...]") : "]").toString();
        }
        return scalarText(v, false);
    }

    private static String scalarText(GgufValue v, boolean quote) {
        if (!(v instanceof GgufValue.Str s)) {
            return v.toString();
        }
        String escaped = printable(s.value());
        if (escaped.length() > MAX_TEXT_STRING) {
            escaped = escaped.substring(0, MAX_TEXT_STRING) + "... (" + s.value().length() + " chars)";
        }
        return quote ? "\"" + escaped + "\"" : escaped;
    }

    /**
     * {@code s} safe to print to a terminal: the file is untrusted, and its keys, strings and tensor
     * names would otherwise send escape sequences (ESC, CSI), NUL, line breaks (U+2028, U+2029 too)
     * or bidirectional overrides, which can rewrite or hide what is shown, straight to it. Those and
     * every other C0 and C1 control and DEL become a Java-style escape, backslash u and four hex
     * digits (backslash n, r and t for the usual three), and a backslash doubles, so that the text
     * stays unambiguous. {@code --json} is left as it is: it is for programs, and JSON escapes the C0
     * controls.
     */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (unsafe(ch)) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** C0, DEL, C1, the line and paragraph separators, and the bidirectional marks, embeddings, overrides and isolates. */
    private static boolean unsafe(char ch) {
        return ch < 0x20 || (ch >= 0x7f && ch <= 0x9f) || ch == '\u2028' || ch == '\u2029'
                || ch == '\u200e' || ch == '\u200f' || (ch >= '\u202a' && ch <= '\u202e') || (ch >= '\u2066' && ch <= '\u2069');
    }

    private void printJson(GgufHeader h, PrintWriter out) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("file", h.source());
            g.writeNumberField("version", h.version());
            g.writeNumberField("alignment", h.alignment());
            g.writeNumberField("dataOffset", h.dataOffset());
            g.writeNumberField("fileSize", h.fileSize());
            g.writeArrayFieldStart("metadata");
            for (Map.Entry<String, GgufValue> kv : h.metadata().asMap().entrySet()) {
                GgufValue v = kv.getValue();
                g.writeStartObject();
                g.writeStringField("key", kv.getKey());
                g.writeStringField("type", v.type().name());
                if (v instanceof GgufValue.Array a) {
                    g.writeStringField("elementType", a.elementType().name());
                    g.writeNumberField("length", a.length());
                    g.writeArrayFieldStart("first");
                    for (int i = 0; i < Math.min(arrayItems, a.length()); i++) {
                        jsonScalar(g, a.element(i));
                    }
                    g.writeEndArray();
                } else {
                    g.writeFieldName("value");
                    jsonScalar(g, v);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("tensors");
            for (GgufTensorInfo t : h.tensors()) {
                g.writeStartObject();
                g.writeStringField("name", t.name());
                g.writeStringField("type", t.type().name());
                g.writeFieldName("shape");
                g.writeArray(t.ne(), 0, t.ne().length);
                g.writeNumberField("offset", h.fileOffset(t));
                g.writeNumberField("dataOffset", t.offset());
                g.writeNumberField("bytes", t.byteSize());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        out.println();
    }

    private static void jsonScalar(JsonGenerator g, GgufValue v) throws IOException {
        if (v instanceof GgufValue.Int i) {
            if (i.type() == GgufValueType.UINT64 && i.value() < 0) {
                g.writeNumber(new BigInteger(Long.toUnsignedString(i.value())));
            } else {
                g.writeNumber(i.value());
            }
        } else if (v instanceof GgufValue.F32 f) {
            g.writeNumber(f.value());
        } else if (v instanceof GgufValue.F64 d) {
            g.writeNumber(d.value());
        } else if (v instanceof GgufValue.Bool b) {
            g.writeBoolean(b.value());
        } else {
            g.writeString(v.asString());
        }
    }
}
