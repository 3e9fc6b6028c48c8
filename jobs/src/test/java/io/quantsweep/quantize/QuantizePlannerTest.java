package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.format.imatrix.ImatrixData;
import io.quantsweep.format.imatrix.ImatrixFiles;
import io.quantsweep.format.imatrix.ImatrixFormat;
import io.quantsweep.format.safetensors.SafetensorsFormatException;
import io.quantsweep.gpu.Device;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.imatrix.ImportanceMatrixException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the planner refuses before any task starts, naming the file it came from. */
class QuantizePlannerTest {
    @TempDir
    Path dir;

    @Test
    void anFp8WeightWithoutItsScalesIsRefusedBeforeAnyTask() throws IOException {
        Path model = TinyModel.checkpoint(dir);
        Path index = model.resolve("model.safetensors.index.json");
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(index.toFile());
        String scale = "model.layers.0.mlp.down_proj.weight_scale_inv";
        assertTrue(((ObjectNode) json.get("weight_map")).remove(scale) != null, scale);
        Files.writeString(index, json.toString());
        QuantizeOptions o = QuantizeOptions.of(model.toString(), List.of("Q4_K_M"), dir.resolve("out").toString())
                .withDevice(Device.CPU);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> QuantizePlanner.plan(o, new Configuration()));
        assertEquals(SafetensorsFormatException.Reason.MISSING_SCALE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("tensor 'model.layers.0.mlp.down_proj.weight' is F8_E4M3 but the checkpoint "
                + "has no '" + scale + "'"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("out")), "nothing is written");
    }

    @Test
    void theCoverageOfAnImportanceMatrixIsCountedTensorByTensor() throws IOException {
        TinyModel tiny = TinyModel.create(dir);
        QuantizeOptions plain = QuantizeOptions.of(tiny.model.toString(), List.of("Q4_K_M"), dir.resolve("out").toString())
                .withDevice(Device.CPU);
        assertTrue(QuantizePlanner.plan(plain, new Configuration()).plan().coverage().isEmpty(), "no matrix, no coverage");
        ImportanceCoverage c = QuantizePlanner.plan(plain.withImatrix(tiny.imatrix.toString()), new Configuration()).plan()
                .coverage().orElseThrow();
        // four entries, each naming a quantized tensor; two of them list one expert the calibration never routed to
        assertEquals(4, c.weighted());
        assertEquals(2, c.unreached());
        assertEquals(List.of(), c.unused());
        int quantized = QuantizePlanner.plan(plain, new Configuration()).plan().variants().get(0).tensors()
                .stream().mapToInt(t -> t.type() != GgmlType.F32 ? 1 : 0).sum();
        assertEquals(quantized - 4, c.withoutEntry().size());
        assertTrue(c.describe().startsWith("4 tensors quantized with weights (unit weights for 2 of their matrices"), c.describe());
    }

    @Test
    void anImportanceMatrixThatNamesNoTensorOfTheRunIsRefused() throws IOException {
        Path imatrix = oneEntryImatrix("other-model.imatrix.gguf", "blk.99.foo.weight", 4);
        QuantizeOptions o = withImatrix(imatrix);
        ImportanceMatrixException e = assertThrows(ImportanceMatrixException.class, () -> QuantizePlanner.plan(o, new Configuration()));
        assertEquals(ImportanceMatrixException.Reason.NO_TENSOR_NAMED, e.reason());
        assertTrue(e.getMessage().contains(imatrix.toUri().getPath() + ": none of its entries names a tensor this run "
                + "quantizes (it has blk.99.foo.weight; the run quantizes output.weight, token_embd.weight, blk.0.attn_k_b.weight, … ("),
                e.getMessage());
    }

    @Test
    void anImportanceMatrixEntryOfTheWrongSizeIsRefusedNamingItsFile() throws IOException {
        Path imatrix = oneEntryImatrix("short.imatrix.gguf", "blk.0.attn_q_a.weight", 5);
        QuantizeOptions o = withImatrix(imatrix);
        ImportanceMatrixException e = assertThrows(ImportanceMatrixException.class,
                () -> QuantizePlanner.plan(o, new Configuration()));
        assertEquals(ImportanceMatrixException.Reason.SIZE_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains(imatrix + ": importance matrix entry 'blk.0.attn_q_a.weight': 5 values"),
                e.getMessage());
    }

    /** An importance matrix in {@code dir} with one entry of {@code values} sums seen once. */
    private Path oneEntryImatrix(String file, String entry, int values) throws IOException {
        Path imatrix = dir.resolve(file);
        ImatrixFiles.write(imatrix, new ImatrixData(List.of("c.txt"), 10, 512,
                List.of(new ImatrixData.Entry(entry, new float[values], new float[] {1}))), ImatrixFormat.GGUF);
        return imatrix;
    }

    /** Q4_K_M of the tiny model, on the CPU, with {@code imatrix}. */
    private QuantizeOptions withImatrix(Path imatrix) throws IOException {
        Path model = TinyModel.checkpoint(dir);
        return QuantizeOptions.of(model.toString(), List.of("Q4_K_M"), dir.resolve("out").toString())
                .withImatrix(imatrix.toString()).withDevice(Device.CPU);
    }
}
