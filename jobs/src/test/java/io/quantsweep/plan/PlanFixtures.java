package io.quantsweep.plan;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.RealModelFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * DeepSeek-V3 671B as the planner sees it: the config shipped under {@code conf/models} alone
 * (header estimated), or a directory with the real config and tokenizer (header exact).
 */
final class PlanFixtures {
    /** The shipped config, relative to the jobs module (Maven runs tests there). */
    static final Path SHIPPED = Path.of("..", "conf", "models", "deepseek-v3-671b");

    private PlanFixtures() {
    }

    /** The shipped config alone. */
    static ModelInput shipped(MlaLayout layout) {
        try {
            return ModelInput.read(RealModelFiles.fs(), RealModelFiles.hadoop(SHIPPED.toAbsolutePath()), layout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code parent/deepseek-v3}: config.json, tokenizer.json and tokenizer_config.json. */
    static Path withTokenizer(Path parent) throws IOException {
        return RealModelFiles.modelDirectory(Files.createDirectories(parent.resolve("deepseek-v3")));
    }

    static ModelInput read(Path dir, MlaLayout layout) throws IOException {
        return ModelInput.read(RealModelFiles.fs(), RealModelFiles.hadoop(dir), layout);
    }
}
