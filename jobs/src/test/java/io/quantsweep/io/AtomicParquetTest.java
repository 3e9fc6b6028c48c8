package io.quantsweep.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicParquetTest {
    private static final Schema SCHEMA = SchemaBuilder.record("Row").fields()
            .requiredString("name").requiredLong("value").endRecord();
    private static final Configuration CONF = new Configuration();
    private static final FileSystem FS = AtomicOutput.localFileSystem();

    @TempDir
    java.nio.file.Path dir;

    private static GenericRecord row(String name, Long value) {
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("name", name);
        r.put("value", value);
        return r;
    }

    private Path target() {
        return new Path(dir.resolve("rows.parquet").toUri());
    }

    private List<String> read(Path file) throws IOException {
        List<String> rows = new ArrayList<>();
        try (ParquetReader<GenericRecord> in = AvroParquetReader.<GenericRecord>builder(
                HadoopInputFile.fromPath(file, CONF)).withConf(CONF).build()) {
            for (GenericRecord r = in.read(); r != null; r = in.read()) {
                rows.add(r.get("name") + "=" + r.get("value"));
            }
        }
        return rows;
    }

    private List<String> fileNames() throws IOException {
        try (Stream<java.nio.file.Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesRowsThatReadBackReplacingAnOlderFile() throws IOException {
        AtomicParquet.write(FS, target(), SCHEMA, CONF, List.of(row("old", 0L)));
        List<GenericRecord> rows = new ArrayList<>();
        for (long i = 0; i < 10_000; i++) {
            rows.add(row("r" + i, i * i));
        }
        AtomicParquet.write(FS, target(), SCHEMA, CONF, rows);
        List<String> back = read(target());
        assertEquals(10_000, back.size());
        assertEquals("r9999=" + 9999L * 9999L, back.get(9999));
        assertEquals(List.of("rows.parquet"), fileNames());
    }

    @Test
    void aBadRecordLeavesTheOlderFileWholeAndNoTemporary() throws IOException {
        AtomicParquet.write(FS, target(), SCHEMA, CONF, List.of(row("old", 1L)));
        // a required column left null fails inside the writer, after earlier rows went to the file
        List<GenericRecord> rows = List.of(row("a", 1L), row("b", 2L), row("c", null));
        RuntimeException e = assertThrows(RuntimeException.class, () -> AtomicParquet.write(FS, target(), SCHEMA, CONF, rows));
        assertTrue(String.valueOf(e.getMessage()).contains("value"), "the null required field is named: " + e);
        assertEquals(List.of("old=1"), read(target()));
        assertEquals(List.of("rows.parquet"), fileNames());
    }
}
