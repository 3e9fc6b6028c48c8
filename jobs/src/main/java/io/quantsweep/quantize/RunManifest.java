package io.quantsweep.quantize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantsweep.arch.JsonFile;
import io.quantsweep.io.AtomicOutput;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The identity of a run, written as {@value #FILE} into its output directory before anything else:
 * the arguments that decide the output bytes (model, variants, imatrix, MLA layout, split, source
 * precision, unit budget) and a fingerprint of everything they resolve to (every shard's header, the
 * unit layout, the checkpoint headers, the importance vectors), and the length and modification time
 * of each checkpoint file read ({@code sources}; absent from manifests of earlier versions, which are
 * then not checked for it). Device, master and partitioning are not part of it: they never change the
 * bytes.
 *
 * <p>{@link #check} decides what a run may do with a directory: start afresh (missing or empty),
 * resume (same manifest, no {@value #SUCCESS}), or nothing (same manifest, complete); anything else
 * is a {@link RunConflictException}, so two runs' files are never mixed.
 */
public record RunManifest(Map<String, String> parameters, String fingerprint, SortedMap<String, String> sources) {
    public static final String FILE = "_run.json";
    public static final String SUCCESS = "_SUCCESS";
    private static final int VERSION = 1;

    /** What a directory holds for this run. */
    public enum State { FRESH, RESUME, COMPLETE }

    public RunManifest {
        parameters = new LinkedHashMap<>(parameters);
        Objects.requireNonNull(fingerprint, "fingerprint");
        sources = new TreeMap<>(sources);
    }

    @Override
    public SortedMap<String, String> sources() {
        return new TreeMap<>(sources);
    }

    @Override
    public Map<String, String> parameters() {
        return new LinkedHashMap<>(parameters);
    }

    /**
     * What {@code out} holds for a run with this manifest.
     *
     * @throws RunConflictException when the run must not write there
     */
    public State check(FileSystem fs, Path out) throws IOException {
        FileStatus status;
        try {
            status = fs.getFileStatus(out);
        } catch (FileNotFoundException e) {
            return State.FRESH;
        }
        if (!status.isDirectory()) {
            throw new RunConflictException(RunConflictException.Reason.NOT_A_DIRECTORY, out + " is a file, not an output directory");
        }
        // a run killed while it wrote its manifest left only the manifest's temporary file
        FileStatus[] entries = fs.listStatus(out, p -> !isManifestTemporary(p));
        if (entries.length == 0) {
            return State.FRESH;
        }
        Path file = new Path(out, FILE);
        if (!fs.exists(file)) {
            throw new RunConflictException(RunConflictException.Reason.NOT_EMPTY, out + " is not empty (e.g. "
                    + entries[0].getPath().getName() + ") and holds no " + FILE
                    + " of an earlier run; choose an empty or new directory");
        }
        RunManifest earlier = read(fs, file);
        List<String> differences = new ArrayList<>();
        for (String key : union(parameters.keySet(), earlier.parameters.keySet())) {
            String now = parameters.get(key);
            String then = earlier.parameters.get(key);
            if (!Objects.equals(now, then)) {
                differences.add("%s was '%s', now '%s'".formatted(key, then, now));
            }
        }
        if (differences.isEmpty()) {
            String changed = null;
            if (!fingerprint.equals(earlier.fingerprint)) {
                changed = "the checkpoint's headers, a recipe file or the importance matrix changed (fingerprint was "
                        + earlier.fingerprint + ", now " + fingerprint + ")";
            } else if (!earlier.sources.isEmpty() && !sources.equals(earlier.sources)) {
                changed = "checkpoint files changed: " + changedSources(earlier.sources);
            }
            if (changed != null) {
                throw new RunConflictException(RunConflictException.Reason.DIFFERENT_RUN, out + " holds a run of the same "
                        + "arguments on other inputs: since it started, " + changed + "; its parts are not this run's: "
                        + "choose another directory, or delete this one to start again");
            }
        }
        if (!differences.isEmpty()) {
            throw new RunConflictException(RunConflictException.Reason.DIFFERENT_RUN, out + " holds a run with other arguments ("
                    + String.join("; ", differences) + "); rerun with the same arguments to resume it, or choose another directory");
        }
        return fs.exists(new Path(out, SUCCESS)) ? State.COMPLETE : State.RESUME;
    }

    /** The files whose length or time differs from {@code earlier}, as "name: then → now", the first few. */
    private String changedSources(Map<String, String> earlier) {
        List<String> changed = new ArrayList<>();
        for (String name : union(earlier.keySet(), sources.keySet())) {
            String then = earlier.getOrDefault(name, "absent");
            String now = sources.getOrDefault(name, "absent");
            if (!then.equals(now)) {
                changed.add(name + ": " + then + " → " + now);
            }
        }
        return String.join("; ", changed.subList(0, Math.min(3, changed.size())))
                + (changed.size() > 3 ? "; … (" + changed.size() + " files)" : "");
    }

    private static List<String> union(Iterable<String> a, Iterable<String> b) {
        List<String> keys = new ArrayList<>();
        a.forEach(keys::add);
        b.forEach(k -> {
            if (!keys.contains(k)) {
                keys.add(k);
            }
        });
        return keys;
    }

    /** The temporary file of a manifest that was being written (what {@link AtomicOutput} names it). */
    private static boolean isManifestTemporary(Path p) {
        return p.getName().startsWith("." + FILE + ".") && p.getName().endsWith(".tmp");
    }

    /** Writes the manifest into {@code out} (created if needed), atomically, deleting a killed run's temporaries of it. */
    public void write(FileSystem fs, Path out) throws IOException {
        fs.mkdirs(out);
        for (FileStatus stale : fs.listStatus(out, RunManifest::isManifestTemporary)) {
            fs.delete(stale.getPath(), false);
        }
        byte[] json = toJson(JsonFile.JSON.createObjectNode());
        AtomicOutput.write(fs, new Path(out, FILE), o -> o.write(json));
    }

    /** Writes {@value #SUCCESS}: this manifest plus {@code summary} (what was written). */
    public void writeSuccess(FileSystem fs, Path out, ObjectNode summary) throws IOException {
        ObjectNode o = JsonFile.JSON.createObjectNode();
        o.set("summary", summary);
        byte[] json = toJson(o);
        AtomicOutput.write(fs, new Path(out, SUCCESS), s -> s.write(json));
    }

    private byte[] toJson(ObjectNode o) {
        o.put("version", VERSION);
        ObjectNode p = o.putObject("parameters");
        parameters.forEach(p::put);
        o.put("fingerprint", fingerprint);
        ObjectNode f = o.putObject("sources");
        sources.forEach(f::put);
        try {
            return JsonFile.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a manifest (or the manifest part of a {@value #SUCCESS} file). */
    public static RunManifest read(FileSystem fs, Path file) throws IOException {
        long length = fs.getFileStatus(file).getLen();
        if (length > 1 << 20) {
            throw new RunConflictException(RunConflictException.Reason.BAD_MANIFEST, file + " has " + length + " bytes; not a run manifest");
        }
        byte[] bytes = new byte[(int) length];
        try (FSDataInputStream in = fs.open(file)) {
            in.readFully(0, bytes);
        }
        try {
            JsonNode o = JsonFile.parse(file.toString(), bytes);
            if (o.path("version").intValue() != VERSION || !o.path("parameters").isObject() || !o.path("fingerprint").isTextual()) {
                throw new IllegalArgumentException("version " + VERSION + ", parameters and fingerprint expected");
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = o.get("parameters").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                parameters.put(e.getKey(), e.getValue().asText());
            }
            SortedMap<String, String> sources = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = o.path("sources").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                sources.put(e.getKey(), e.getValue().asText());
            }
            return new RunManifest(parameters, o.get("fingerprint").textValue(), sources);
        } catch (RuntimeException e) {
            throw new RunConflictException(RunConflictException.Reason.BAD_MANIFEST, file + " is not a run manifest: " + e.getMessage());
        }
    }
}
