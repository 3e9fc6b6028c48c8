package io.quantsweep.eval.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping read as typed fields, every error naming the file, the line and the dotted path of
 * the key ({@code benchmarks[1].n-shot}). A null value ({@code ~}, {@code null}, nothing) counts as absent.
 */
final class YamlMap {
    private final String file;
    private final String path;
    private final Node node;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

    private YamlMap(String file, String path, Node node) {
        this.file = file;
        this.path = path;
        this.node = node;
    }

    /** The mapping at {@code node}; refuses other node kinds, non-scalar keys and duplicate keys. */
    static YamlMap of(String file, String path, Node node) throws SweepFormatException {
        if (!(node instanceof MappingNode mapping)) {
            throw error(file, node, where(path) + "expected a mapping of keys to values");
        }
        YamlMap map = new YamlMap(file, path, node);
        for (NodeTuple t : mapping.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode key)) {
                throw error(file, t.getKeyNode(), where(path) + "keys must be plain names");
            }
            if (map.entries.put(key.getValue(), t) != null) {
                throw error(file, key, "duplicate key '" + map.child(key.getValue()) + "'");
            }
        }
        return map;
    }

    /** Refuses any key outside {@code allowed}, naming the allowed ones. */
    void allowOnly(Set<String> allowed) throws SweepFormatException {
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            if (!allowed.contains(e.getKey())) {
                throw error(file, e.getValue().getKeyNode(), "unknown key '" + child(e.getKey()) + "', expected one of "
                        + String.join(", ", new TreeSet<>(allowed)));
            }
        }
    }

    /** The dotted path of a key of this mapping. */
    String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    String file() {
        return file;
    }

    /** The 1-based line of the mapping itself. */
    int line() {
        return line(node);
    }

    /** The 1-based line of {@code key}'s value, or of the mapping if the key is absent. */
    int line(String key) {
        NodeTuple t = entries.get(key);
        return t == null ? line() : line(t.getValueNode());
    }

    boolean has(String key) {
        return value(key).isPresent();
    }

    Optional<Node> value(String key) {
        NodeTuple t = entries.get(key);
        if (t == null || (t.getValueNode() instanceof ScalarNode s && s.getTag().equals(Tag.NULL))) {
            return Optional.empty();
        }
        return Optional.of(t.getValueNode());
    }

    Node required(String key) throws SweepFormatException {
        Optional<Node> v = value(key);
        if (v.isEmpty()) {
            throw error(file, node, "missing key '" + child(key) + "'");
        }
        return v.get();
    }

    String string(String key) throws SweepFormatException {
        return scalar(key, required(key));
    }

    String string(String key, String absent) throws SweepFormatException {
        Optional<Node> v = value(key);
        return v.isEmpty() ? absent : scalar(key, v.get());
    }

    int integer(String key, int absent) throws SweepFormatException {
        Optional<Node> v = value(key);
        if (v.isEmpty()) {
            return absent;
        }
        String s = scalar(key, v.get());
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw error(file, v.get(), child(key) + ": expected an integer, got '" + s + "'");
        }
    }

    long longInteger(String key, long absent) throws SweepFormatException {
        Optional<Node> v = value(key);
        if (v.isEmpty()) {
            return absent;
        }
        String s = scalar(key, v.get());
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error(file, v.get(), child(key) + ": expected an integer, got '" + s + "'");
        }
    }

    double decimal(String key, double absent) throws SweepFormatException {
        Optional<Node> v = value(key);
        if (v.isEmpty()) {
            return absent;
        }
        String s = scalar(key, v.get());
        try {
            double d = Double.parseDouble(s);
            if (Double.isFinite(d) && s.matches("[-+]?[0-9.eE+-]+")) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below with the line
        }
        throw error(file, v.get(), child(key) + ": expected a number, got '" + s + "'");
    }

    /** The items of a list value; absent gives an empty list. */
    List<Node> list(String key) throws SweepFormatException {
        Optional<Node> v = value(key);
        if (v.isEmpty()) {
            return List.of();
        }
        if (!(v.get() instanceof SequenceNode seq)) {
            throw error(file, v.get(), child(key) + ": expected a list");
        }
        return new ArrayList<>(seq.getValue());
    }

    /** The strings of a list value; absent gives an empty list. */
    List<String> strings(String key) throws SweepFormatException {
        List<String> out = new ArrayList<>();
        for (Node n : list(key)) {
            out.add(scalar(key, n));
        }
        return out;
    }

    /** A nested mapping, or empty if absent. */
    Optional<YamlMap> map(String key) throws SweepFormatException {
        Optional<Node> v = value(key);
        return v.isEmpty() ? Optional.empty() : Optional.of(of(file, child(key), v.get()));
    }

    /** A refusal of the mapping as a whole, at its first line, prefixed with its path. */
    SweepFormatException error(String detail) {
        return new SweepFormatException(file, line(), where(path) + detail);
    }

    /** A refusal at {@code key}'s value. */
    SweepFormatException error(String key, String detail) {
        return new SweepFormatException(file, line(key), child(key) + ": " + detail);
    }

    private String scalar(String key, Node n) throws SweepFormatException {
        if (!(n instanceof ScalarNode s)) {
            throw error(file, n, child(key) + ": expected a single value");
        }
        return s.getValue();
    }

    static int line(Node n) {
        return n.getStartMark() == null ? 1 : n.getStartMark().getLine() + 1;
    }

    static SweepFormatException error(String file, Node n, String detail) {
        return new SweepFormatException(file, line(n), detail);
    }

    private static String where(String path) {
        return path.isEmpty() ? "" : path + ": ";
    }
}
