package io.quantsweep.eval.bench;

import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** A {@link DataDir} on a Hadoop file system ({@code hdfs://}, {@code s3a://}, {@code file://}). */
public record HadoopDataDir(FileSystem fs, Path root) implements DataDir {
    @Override
    public List<String> list(String folder) throws IOException {
        Path dir = resolve(folder);
        FileStatus[] entries;
        try {
            if (!fs.getFileStatus(dir).isDirectory()) {
                return List.of();
            }
            entries = fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (FileStatus s : entries) {
            if (s.isFile()) {
                names.add(s.getPath().getName());
            }
        }
        names.sort(null);
        return names;
    }

    @Override
    public boolean exists(String file) throws IOException {
        try {
            return fs.getFileStatus(resolve(file)).isFile();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    @Override
    public Reader open(String file) throws IOException {
        return new BufferedReader(new InputStreamReader(fs.open(resolve(file)),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
    }

    @Override
    public String describe(String file) {
        return resolve(file).toString();
    }

    private Path resolve(String relative) {
        return relative.isEmpty() ? root : new Path(root, relative);
    }
}
