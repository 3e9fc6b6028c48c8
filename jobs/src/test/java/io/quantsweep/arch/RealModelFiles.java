package io.quantsweep.arch;

import io.quantsweep.io.AtomicOutput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.fs.FileSystem;

/** The DeepSeek-V3 671B config and tokenizer kept in test resources, and the local file system. */
public final class RealModelFiles {
    private RealModelFiles() {
    }

    /** Hadoop's local file system without checksum files. */
    public static FileSystem fs() {
        return AtomicOutput.localFileSystem();
    }

    public static org.apache.hadoop.fs.Path hadoop(Path p) {
        return new org.apache.hadoop.fs.Path(p.toUri());
    }

    public static byte[] resource(String name) throws IOException {
        try (InputStream in = RealModelFiles.class.getResourceAsStream("/deepseek-v3/" + name)) {
            if (in == null) {
                throw new IOException("test resource /deepseek-v3/" + name + " is missing");
            }
            return in.readAllBytes();
        }
    }

    /** The real 671B {@code config.json}. */
    public static HfConfig config() throws IOException {
        return HfConfig.parse("config.json", resource("config.json"));
    }

    /** Writes config.json, tokenizer_config.json and the gunzipped tokenizer.json into {@code dir}. */
    public static Path modelDirectory(Path dir) throws IOException {
        Files.write(dir.resolve("config.json"), resource("config.json"));
        Files.write(dir.resolve("tokenizer_config.json"), resource("tokenizer_config.json"));
        try (InputStream in = new GZIPInputStream(RealModelFiles.class.getResourceAsStream("/deepseek-v3/tokenizer.json.gz"))) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }
        return dir;
    }
}
