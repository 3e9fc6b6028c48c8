package io.quantsweep.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * The rows of a Parquet table, read with parquet-avro (no Spark session): one file, or a folder of
 * part files as Spark writes them ({@code part-*.parquet}; names starting with {@code _} or
 * {@code .}, such as {@code _SUCCESS} and checksum files, are not data). Part files are read in name
 * order, so the row order is stable.
 *
 * @param name how messages name the table, e.g. {@code eval/summary}
 * @param rows the rows, in file order
 */
record ParquetTable(String name, List<Row> rows) {

    /** One row, with typed getters that name the table, file, row and column when a value is unusable. */
    record Row(String table, Path file, long index, GenericRecord record) {

        boolean has(String column) {
            return record.getSchema().getField(column) != null;
        }

        String string(String column) {
            return require(column).toString();
        }

        int integer(String column) {
            return Math.toIntExact(number(column).longValue());
        }

        long longValue(String column) {
            return number(column).longValue();
        }

        double dbl(String column) {
            return number(column).doubleValue();
        }

        /** The value, or NaN when the column is absent or the value null. */
        double optionalDouble(String column) {
            if (!has(column) || record.get(column) == null) {
                return Double.NaN;
            }
            return dbl(column);
        }

        private Number number(String column) {
            if (require(column) instanceof Number n) {
                return n;
            }
            throw problem(column, "is not a number: " + record.get(column));
        }

        private Object require(String column) {
            if (!has(column)) {
                throw problem(column, "is missing; the table has " + columns(record.getSchema()));
            }
            Object v = record.get(column);
            if (v == null) {
                throw problem(column, "is null");
            }
            return v;
        }

        private ReportInputException problem(String column, String what) {
            return new ReportInputException(table + " (" + file + ") row " + index + ": column '" + column + "' " + what);
        }
    }

    /**
     * Reads the table at {@code path}; every row must have the {@code required} columns.
     *
     * @throws ReportInputException when there is no part file or a required column is missing
     */
    static ParquetTable read(FileSystem fs, Path path, String name, String... required) throws IOException {
        List<Path> parts = parts(fs, path);
        if (parts.isEmpty()) {
            throw new ReportInputException(name + ": no Parquet part file in " + path);
        }
        Configuration conf = fs.getConf() == null ? new Configuration() : fs.getConf();
        List<Row> rows = new ArrayList<>();
        for (Path part : parts) {
            long index = 0;
            try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(
                    HadoopInputFile.fromPath(part, conf)).build()) {
                for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
                    if (index == 0) {
                        requireColumns(name, part, r.getSchema(), required);
                    }
                    rows.add(new Row(name, part, index++, r));
                }
            } catch (RuntimeException e) {
                if (e instanceof ReportInputException) {
                    throw e;
                }
                throw new ReportInputException(name + ": cannot read " + part + ": " + e.getMessage(), e);
            }
        }
        return new ParquetTable(name, List.copyOf(rows));
    }

    private static void requireColumns(String name, Path part, Schema schema, String... required) {
        for (String c : required) {
            if (schema.getField(c) == null) {
                throw new ReportInputException(name + " (" + part + "): column '" + c + "' is missing; the table has " + columns(schema));
            }
        }
    }

    private static List<String> columns(Schema schema) {
        return schema.getFields().stream().map(Schema.Field::name).toList();
    }

    private static List<Path> parts(FileSystem fs, Path path) throws IOException {
        FileStatus status = fs.getFileStatus(path);
        if (status.isFile()) {
            return List.of(path);
        }
        FileStatus[] children = fs.listStatus(path, p -> !p.getName().startsWith("_") && !p.getName().startsWith("."));
        return Arrays.stream(children)
                .filter(FileStatus::isFile)
                .map(FileStatus::getPath)
                .filter(p -> p.getName().endsWith(".parquet"))
                .sorted()
                .toList();
    }
}
