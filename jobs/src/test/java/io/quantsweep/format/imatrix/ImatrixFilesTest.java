package io.quantsweep.format.imatrix;

import static io.quantsweep.format.imatrix.ImatrixFixtures.CHUNK_SIZE;
import static io.quantsweep.format.imatrix.ImatrixFixtures.DOWN_COUNTS;
import static io.quantsweep.format.imatrix.ImatrixFixtures.DOWN_EXPS;
import static io.quantsweep.format.imatrix.ImatrixFixtures.DOWN_NE0;
import static io.quantsweep.format.imatrix.ImatrixFixtures.EXPERTS;
import static io.quantsweep.format.imatrix.ImatrixFixtures.HEADS;
import static io.quantsweep.format.imatrix.ImatrixFixtures.K_B;
import static io.quantsweep.format.imatrix.ImatrixFixtures.K_B_NE0;
import static io.quantsweep.format.imatrix.ImatrixFixtures.Q_A;
import static io.quantsweep.format.imatrix.ImatrixFixtures.Q_A_NE0;
import static io.quantsweep.format.imatrix.ImatrixFixtures.sample;
import static io.quantsweep.format.imatrix.ImatrixFixtures.sums;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantsweep.format.gguf.ByteSource;
import io.quantsweep.format.gguf.GgufHeader;
import io.quantsweep.format.gguf.GgufReader;
import io.quantsweep.format.gguf.GgufTensorInfo;
import io.quantsweep.io.AtomicOutput;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.imatrix.ImportanceMatrix;
import io.quantsweep.quant.imatrix.TensorImportance;
import io.quantsweep.quantize.ImportanceCoverage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImatrixFilesTest {
    @TempDir
    Path dir;

    private Path write(String name, ImatrixData data) throws IOException {
        Path file = dir.resolve(name);
        ImatrixFiles.write(file, data, ImatrixFormat.forFileName(name));
        return file;
    }

    private static org.apache.hadoop.fs.Path hadoop(Path p) {
        return new org.apache.hadoop.fs.Path(p.toUri());
    }

    @Test
    void ggufRoundTripsThroughAHadoopFileSystem() throws IOException {
        Path file = write("imatrix.gguf", sample());
        FileSystem fs = AtomicOutput.localFileSystem();
        assertEquals(sample(), ImatrixFiles.read(fs, hadoop(file)));
        assertEquals(sample(), ImatrixFiles.read(file));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList(), "no temporary file is left");
        }
    }

    /** The layout llama-imatrix writes: four keys in order, in_sum2 then counts per entry in name order, dense ones 1-D. */
    @Test
    void ggufLayoutIsLlamaImatrixs() throws IOException {
        Path file = write("imatrix.gguf", sample());
        GgufHeader h;
        try (GgufReader r = GgufReader.open(file)) {
            h = r.header();
        }
        assertEquals(List.of("general.type", "imatrix.datasets", "imatrix.chunk_count", "imatrix.chunk_size"), h.metadata().keys());
        assertEquals("imatrix", h.requireString("general.type"));
        assertEquals(List.of("blk.3.attn_k_b.weight.in_sum2 F32 [96]", "blk.3.attn_k_b.weight.counts F32 [1]",
                        "blk.3.attn_q_a.weight.in_sum2 F32 [256]", "blk.3.attn_q_a.weight.counts F32 [1]",
                        "blk.3.ffn_down_exps.weight.in_sum2 F32 [256, 4]", "blk.3.ffn_down_exps.weight.counts F32 [1, 4]"),
                h.tensors().stream().map(GgufTensorInfo::spec).map(Object::toString).toList());
        assertEquals(32, h.alignment());
    }

    @Test
    void datReadsAsOneMatrixPerEntryScaledByNcall() throws IOException {
        Path file = write("imatrix.dat", sample());
        ImatrixData d = ImatrixFiles.read(file);
        assertEquals(List.of("calibration_datav3.txt"), d.datasets());
        assertEquals(2, d.chunkCount());
        assertEquals(1, d.chunkSize());
        ImatrixData.Entry down = d.entries().get(2);
        assertEquals(DOWN_EXPS, down.name());
        assertArrayEquals(new float[] {2}, down.counts(), "ncall = ceil(1000 / 512)");
        float[] s = sums(EXPERTS * DOWN_NE0, 1);
        float[] stored = down.sums();
        assertEquals((s[0] / 1000f) * 2f, stored[0]);
        assertEquals(2f, stored[DOWN_NE0 + 5], "an expert without tokens is stored as 1 × ncall");
        assertEquals((s[3 * DOWN_NE0] / 24f) * 2f, stored[3 * DOWN_NE0]);
    }

    @Test
    void datBytesAreTheLegacyLayout() throws IOException {
        byte[] b = Files.readAllBytes(write("imatrix.dat", sample()));
        assertEquals(3, LittleEndian.getInt(b, 0));
        assertEquals(K_B.length(), LittleEndian.getInt(b, 4));
        assertEquals(K_B, new String(b, 8, K_B.length(), StandardCharsets.UTF_8));
        int at = 8 + K_B.length();
        assertEquals(2, LittleEndian.getInt(b, at), "ncall = ceil(700 / 512)");
        assertEquals(HEADS * K_B_NE0, LittleEndian.getInt(b, at + 4));
        assertEquals((sums(HEADS * K_B_NE0, 2)[0] / 700f) * 2f, LittleEndian.getFloat(b, at + 8));
        String tail = "calibration_datav3.txt";
        int trailer = b.length - 8 - tail.length();
        assertEquals(2, LittleEndian.getInt(b, trailer), "last_chunk");
        assertEquals(tail.length(), LittleEndian.getInt(b, trailer + 4));
        assertEquals(tail, new String(b, trailer + 8, tail.length(), StandardCharsets.UTF_8));
    }

    /** What llama-quantize loads: slices per expert and head, unit weights for the idle expert, and the coverage. */
    @Test
    void importanceFromGgufHasSlicesFallbacksAndCoverage() throws IOException {
        ImportanceMatrix m = ImatrixFiles.read(write("imatrix.gguf", sample())).importance();
        TensorImportance down = m.forTensor(DOWN_EXPS, DOWN_NE0, EXPERTS);
        float[] s = sums(EXPERTS * DOWN_NE0, 1);
        for (int e = 0; e < EXPERTS; e++) {
            float[] expected = new float[DOWN_NE0];
            for (int i = 0; i < DOWN_NE0; i++) {
                expected[i] = DOWN_COUNTS[e] > 0 ? s[e * DOWN_NE0 + i] / DOWN_COUNTS[e] : 1.0f;
            }
            assertArrayEquals(expected, down.slice(e), "expert " + e);
        }
        assertArrayEquals(new int[] {1}, down.unseenMatrices());
        TensorImportance kb = m.forTensor(K_B, K_B_NE0, HEADS);
        float[] ks = sums(HEADS * K_B_NE0, 2);
        assertEquals(ks[2 * K_B_NE0 + 7] / 700f, kb.slice(2)[7]);
        TensorImportance qa = m.forTensor(Q_A, Q_A_NE0, 1);
        assertEquals(sums(Q_A_NE0, 3)[9] / 1000f, qa.slice(0)[9]);
        TensorImportance out = m.forTensor("output.weight", Q_A_NE0, 1);
        assertEquals(new ImportanceCoverage(3, 1, List.of("output.weight"), List.of()),
                ImportanceCoverage.of(m, List.of(down, kb, qa, out)));
    }

    /** The same statistics as .dat and as GGUF load to the same values, expert by expert, idle expert included. */
    @Test
    void bothFormatsLoadTheSameValues() throws IOException {
        ImportanceMatrix gguf = ImatrixFiles.read(write("imatrix.gguf", sample())).importance();
        ImportanceMatrix dat = ImatrixFiles.read(write("imatrix.dat", sample())).importance();
        assertEquals(gguf.names(), dat.names());
        for (String name : gguf.names()) {
            assertArrayEquals(gguf.entry(name).orElseThrow().values(), dat.entry(name).orElseThrow().values(), name);
        }
        // only the GGUF knows which expert was idle
        assertArrayEquals(new int[] {1}, gguf.entry(DOWN_EXPS).orElseThrow().unseen());
        assertArrayEquals(new int[0], dat.entry(DOWN_EXPS).orElseThrow().unseen());
    }

    /** Quantizing each expert of a stacked tensor with its slice gives the same bytes from either file, and those of its own vector. */
    @Test
    void slicesFromEitherFileQuantizeEachExpertAlike() throws IOException {
        int rows = 2;
        SplittableRandom r = new SplittableRandom(7);
        float[] stacked = new float[EXPERTS * rows * DOWN_NE0];
        for (int i = 0; i < stacked.length; i++) {
            stacked[i] = (float) r.nextGaussian();
        }
        TensorImportance fromGguf = ImatrixFiles.read(write("imatrix.gguf", sample())).importance().forTensor(DOWN_EXPS, DOWN_NE0, EXPERTS);
        TensorImportance fromDat = ImatrixFiles.read(write("imatrix.dat", sample())).importance().forTensor(DOWN_EXPS, DOWN_NE0, EXPERTS);
        float[] s = sums(EXPERTS * DOWN_NE0, 1);
        for (int e = 0; e < EXPERTS; e++) {
            float[] expert = Arrays.copyOfRange(stacked, e * rows * DOWN_NE0, (e + 1) * rows * DOWN_NE0);
            float[] own = new float[DOWN_NE0];
            for (int i = 0; i < DOWN_NE0; i++) {
                own[i] = DOWN_COUNTS[e] > 0 ? s[e * DOWN_NE0 + i] / DOWN_COUNTS[e] : 1.0f;
            }
            byte[] expected = Codecs.quantize(GgmlType.Q4_K, expert, DOWN_NE0, own);
            assertArrayEquals(expected, Codecs.quantize(GgmlType.Q4_K, expert, DOWN_NE0, fromGguf.slice(e)), "GGUF expert " + e);
            assertArrayEquals(expected, Codecs.quantize(GgmlType.Q4_K, expert, DOWN_NE0, fromDat.slice(e)), ".dat expert " + e);
        }
    }

    @Test
    void datWithoutTrailerAndWithNcallZero() throws IOException {
        // llama-quantize keeps the stored values when ncall is 0
        byte[] b = new ImatrixFixtures.Dat().i32(2).entry("a.weight", 0, 3, 5).entry("b.weight", 4, 8, 2).bytes();
        ImatrixData d = ImatrixFiles.read(ByteSource.of(b, "mem.dat"));
        assertEquals(List.of(), d.datasets());
        assertEquals(0, d.chunkCount());
        ImportanceMatrix m = d.importance();
        assertArrayEquals(new float[] {3, 5}, m.entry("a.weight").orElseThrow().values());
        assertArrayEquals(new float[] {2, 0.5f}, m.entry("b.weight").orElseThrow().values());
    }

    @Test
    void ggufIgnoresTensorsWithOtherSuffixes() throws IOException {
        Path file = new ImatrixFixtures.Gguf().entry("x.weight", 2)
                .f32("x.weight.in_sum", sums(8, 4), 4, 2).f32("x.weight.stats", sums(3, 5), 3)
                .write(dir.resolve("extra.gguf"));
        ImatrixData d = ImatrixFiles.read(file);
        assertEquals(List.of("x.weight"), d.entries().stream().map(ImatrixData.Entry::name).toList());
        assertEquals(List.of("d.txt"), d.datasets());
        assertEquals(3, d.chunkCount());
        assertEquals(512, d.chunkSize());
    }

    @Test
    void writersSkipEntriesWithoutTokensAndRefuseWhenNoneRemain() throws IOException {
        ImatrixData withIdle = new ImatrixData(List.of(), 1, CHUNK_SIZE, List.of(
                new ImatrixData.Entry("idle.weight", sums(4, 1), new float[] {0, 0}),
                new ImatrixData.Entry("busy.weight", sums(4, 2), new float[] {3})));
        for (String name : List.of("skip.gguf", "skip.dat")) {
            ImatrixData back = ImatrixFiles.read(write(name, withIdle));
            assertEquals(List.of("busy.weight"), back.entries().stream().map(ImatrixData.Entry::name).toList(), name);
        }
        ImatrixData allIdle = new ImatrixData(List.of(), 1, CHUNK_SIZE,
                List.of(new ImatrixData.Entry("idle.weight", sums(4, 1), new float[] {0})));
        for (ImatrixFormat f : ImatrixFormat.values()) {
            Path target = dir.resolve("none." + f);
            assertThrows(IllegalArgumentException.class, () -> ImatrixFiles.write(target, allIdle, f));
            assertFalse(Files.exists(target), "no partial file for " + f);
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("skip.dat", "skip.gguf"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        ImatrixData noChunkSize = new ImatrixData(List.of(), 1, 0, sample().entries());
        assertThrows(IllegalArgumentException.class, () -> ImatrixFiles.write(new ByteArrayOutputStream(), noChunkSize, ImatrixFormat.DAT));
    }

    @Test
    void detectsTheFormatFromTheFirstBytes() throws IOException {
        ByteArrayOutputStream gguf = new ByteArrayOutputStream();
        ImatrixFiles.write(gguf, sample(), ImatrixFormat.GGUF);
        ByteArrayOutputStream dat = new ByteArrayOutputStream();
        ImatrixFiles.write(dat, sample(), ImatrixFormat.DAT);
        assertEquals(ImatrixFormat.GGUF, ImatrixFiles.detect(ByteSource.of(gguf.toByteArray(), "a")));
        assertEquals(ImatrixFormat.DAT, ImatrixFiles.detect(ByteSource.of(dat.toByteArray(), "b")));
        assertEquals(ImatrixFormat.GGUF, ImatrixFormat.forFileName("imatrix.gguf"));
        assertEquals(ImatrixFormat.DAT, ImatrixFormat.forFileName("imatrix.dat"));
    }

    @Test
    void dataRefusesDuplicateNamesAndInvalidValues() {
        assertThrows(IllegalArgumentException.class, () -> new ImatrixData(List.of(), 0, 1, List.of(
                new ImatrixData.Entry("a", new float[] {1}, new float[] {1}), new ImatrixData.Entry("a", new float[] {2}, new float[] {1}))));
        assertThrows(IllegalArgumentException.class, () -> new ImatrixData.Entry("a", new float[] {1, Float.NaN}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new ImatrixData.Entry("a", new float[] {1, 2}, new float[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> new ImatrixData.Entry("a", new float[3], new float[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> new ImatrixData(List.of(), 1L << 32, 1, List.of()));
    }
}
