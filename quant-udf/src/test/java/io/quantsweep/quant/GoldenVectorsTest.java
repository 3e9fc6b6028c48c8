package io.quantsweep.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every quantized file of the golden manifest, reproduced byte for byte by every codec implementation
 * that runs in this JVM (Vector API and scalar), and decoded bit for bit.
 */
class GoldenVectorsTest {

    static Stream<Arguments> quantFilesTimesImplementations() {
        return Golden.quantEntries().stream().flatMap(e -> Codecs.implementations(e.ggmlType()).stream()
                .map(codec -> Arguments.of(e, Named.of(codec.getClass().getSimpleName(), codec))));
    }

    @ParameterizedTest(name = "{0} by {1}")
    @MethodSource("quantFilesTimesImplementations")
    void quantizesExactlyAsGgml(Golden.Entry e, Codec codec) {
        float[] input = Golden.input(e.caseName());
        float[] importance = e.imatrix() ? Golden.importance(e.caseName()) : null;
        int rows = Codecs.checkRows(e.ggmlType(), input, 0, input.length, e.cols(), importance);
        byte[] ours = new byte[Math.toIntExact(rows * e.ggmlType().bytesFor(e.cols()))];
        codec.quantizeRows(input, 0, rows, e.cols(), importance, ours, 0);
        byte[] ggml = Golden.bytes(e.file());
        assertEquals(ggml.length, ours.length, "byte count");
        int firstDiff = java.util.Arrays.mismatch(ours, ggml);
        if (firstDiff >= 0) {
            long rowBytes = e.ggmlType().bytesFor(e.cols());
            long blockIndex = firstDiff / e.ggmlType().blockBytes();
            fail("%s: first differing byte %d (row %d, block %d of the row, byte %d in the block)".formatted(
                    e.file(), firstDiff, firstDiff / rowBytes, blockIndex % (rowBytes / e.ggmlType().blockBytes()),
                    firstDiff % e.ggmlType().blockBytes()));
        }
    }

    @ParameterizedTest(name = "{0} by {1}")
    @MethodSource("quantFilesTimesImplementations")
    void dequantizesExactlyAsGgml(Golden.Entry e, Codec codec) {
        float[] ours = new float[e.rows() * e.cols()];
        byte[] bytes = Golden.bytes(e.file());
        long rowBytes = e.ggmlType().bytesFor(e.cols());
        for (int r = 0; r < e.rows(); r++) {
            codec.dequantizeRow(bytes, Math.toIntExact(r * rowBytes), e.cols(), ours, r * e.cols());
        }
        float[] ggml = Golden.floats(e.dequantFile());
        assertEquals(ggml.length, ours.length);
        for (int i = 0; i < ours.length; i++) {
            if (Float.floatToRawIntBits(ours[i]) != Float.floatToRawIntBits(ggml[i])) {
                fail("%s: value %d (row %d, column %d) is %s, ggml gives %s".formatted(
                        e.dequantFile(), i, i / e.cols(), i % e.cols(), ours[i], ggml[i]));
            }
        }
    }

    @Test
    void vendoredFilesMatchTheManifestChecksums() throws Exception {
        for (Golden.Entry e : Golden.entries()) {
            byte[] b = Golden.bytes(e.file());
            assertEquals(e.bytes(), b.length, e.file());
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
            assertEquals(e.sha256(), sha, e.file());
        }
    }

    @Test
    void everyGoldenTypeHasACodecAndEveryQuantizedCodecHasGoldenFiles() {
        Set<GgmlType> golden = Golden.quantEntries().stream().map(Golden.Entry::ggmlType)
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(Codecs.supported().containsAll(golden), "types without a codec: "
                + golden.stream().filter(t -> !Codecs.supported().contains(t)).toList());
        Set<GgmlType> untested = new TreeSet<>(Codecs.supported());
        untested.removeAll(golden);
        assertArrayEquals(new GgmlType[] {GgmlType.F32}, untested.toArray(), "codecs without golden files");
    }
}
