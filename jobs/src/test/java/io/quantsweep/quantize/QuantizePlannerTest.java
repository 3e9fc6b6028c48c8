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
    void anImportanceMatrixEntryOfTheWrongSizeIsRefusedNamingItsFile() throws IOException {
        Path model = TinyModel.checkpoint(dir);
        Path imatrix = dir.resolve("short.imatrix.gguf");
        ImatrixFiles.write(imatrix, new ImatrixData(List.of("c.txt"), 10, 512,
                List.of(new ImatrixData.Entry("blk.0.attn_q_a.weight", new float[5], new float[] {1}))), ImatrixFormat.GGUF);
        QuantizeOptions o = QuantizeOptions.of(model.toString(), List.of("Q4_K_M"), dir.resolve("out").toString())
                .withImatrix(imatrix.toString()).withDevice(Device.CPU);
        ImportanceMatrixException e = assertThrows(ImportanceMatrixException.class,
                () -> QuantizePlanner.plan(o, new Configuration()));
        assertEquals(ImportanceMatrixException.Reason.SIZE_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains(imatrix + ": importance matrix entry 'blk.0.attn_q_a.weight': 5 values"),
                e.getMessage());
    }
}
