package io.quantsweep.io;

import java.io.IOException;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.DelegatingPositionOutputStream;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * A Parquet file of Avro records written through {@link AtomicOutput}: it appears under its name only
 * when complete, on any Hadoop file system. Snappy-compressed, as Spark writes by default.
 */
public final class AtomicParquet {
    private AtomicParquet() {
    }

    /** What fills a file: writes its records to the writer it is given. */
    @FunctionalInterface
    public interface Records {
        void writeTo(ParquetWriter<GenericRecord> writer) throws IOException;
    }

    /** Writes {@code records} to {@code target} (its directory must exist), replacing an older file. */
    public static void write(FileSystem fs, Path target, Schema schema, Configuration conf,
                             Iterable<? extends GenericRecord> records) throws IOException {
        write(fs, target, schema, conf, Map.of(), writer -> {
            for (GenericRecord r : records) {
                writer.write(r);
            }
        });
    }

    /**
     * Writes what {@code records} gives to {@code target} (its directory must exist), replacing an older
     * file, with {@code footer} added to the file's key-value metadata.
     */
    public static void write(FileSystem fs, Path target, Schema schema, Configuration conf, Map<String, String> footer,
                             Records records) throws IOException {
        try (AtomicOutput out = AtomicOutput.create(fs, target)) {
            try (ParquetWriter<GenericRecord> writer = AvroParquetWriter.<GenericRecord>builder(new Sink(out))
                    .withSchema(schema)
                    .withDataModel(GenericData.get())
                    .withConf(conf)
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .withExtraMetaData(footer)
                    .build()) {
                records.writeTo(writer);
            }
            out.commit();
        }
    }

    /** Parquet's view of the temporary file: closing the writer must flush it but leave the commit to us. */
    private record Sink(AtomicOutput out) implements OutputFile {
        @Override
        public PositionOutputStream create(long blockSizeHint) {
            CountingOutputStream counted = new CountingOutputStream(out.stream());
            return new DelegatingPositionOutputStream(counted) {
                @Override
                public long getPos() {
                    return counted.count();
                }
            };
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            return create(blockSizeHint);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }

        @Override
        public String getPath() {
            return out.target().toString();
        }
    }
}
