package io.quantsweep.plan;

import io.quantsweep.io.ClasspathText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The machines a plan is checked against and the memory each device needs beyond weights and cache,
 * as {@code conf/deployment-targets.yaml} states them ({@link #builtIn()}: the build copies that file
 * onto the classpath, so the folder stays its one source):
 *
 * <pre>
 * overhead_per_device_gib: 4.5
 * targets:
 *   - {name: 8xA100-80GB, devices: 8, memory_gib: 80}
 * </pre>
 *
 * @param overheadPerDeviceGib compute buffers, runtime context and driver reserve, per device
 * @param targets the machines, in file order, names unique
 */
public record DeploymentTargets(double overheadPerDeviceGib, List<DeploymentTarget> targets) {
    public static final String FILE_NAME = "deployment-targets.yaml";

    public DeploymentTargets {
        targets = List.copyOf(targets);
        if (!(overheadPerDeviceGib >= 0) || Double.isInfinite(overheadPerDeviceGib)) {
            throw new IllegalArgumentException("overhead per device must be a non-negative number of GiB, not " + overheadPerDeviceGib);
        }
        Set<String> names = new HashSet<>();
        for (DeploymentTarget t : targets) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("deployment target '" + t.name() + "' is listed twice");
            }
        }
    }

    /** The targets of {@code conf/deployment-targets.yaml}. */
    public static DeploymentTargets builtIn() {
        String source = "conf/" + FILE_NAME;
        return parse(source, ClasspathText.read(DeploymentTargets.class, FILE_NAME, source));
    }

    /** Reads a targets file. */
    public static DeploymentTargets load(Path file) throws IOException {
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * Parses a targets file.
     *
     * @throws IllegalArgumentException naming {@code source} and the key for bad YAML, an unknown or
     *     missing key, or a value of the wrong kind
     */
    public static DeploymentTargets parse(String source, String text) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        Map<?, ?> top = map(source, root, "the file", Set.of("overhead_per_device_gib", "targets"));
        if (!(top.get("targets") instanceof List<?> list)) {
            throw new IllegalArgumentException(source + ": 'targets' must be a list of {name, devices, memory_gib}");
        }
        List<DeploymentTarget> targets = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "targets[" + i + "]";
            Map<?, ?> t = map(source, list.get(i), where, Set.of("name", "devices", "memory_gib"));
            if (!(t.get("name") instanceof String name) || !(t.get("devices") instanceof Integer devices)) {
                throw new IllegalArgumentException(source + ": " + where + " needs a string name and an integer devices");
            }
            try {
                targets.add(new DeploymentTarget(name, devices, number(source, t, where, "memory_gib")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": " + where + ": " + e.getMessage(), e);
            }
        }
        double overhead = number(source, top, "the file", "overhead_per_device_gib");
        try {
            return new DeploymentTargets(overhead, targets);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** These targets with {@code extra} added, replacing any of the same name. */
    public DeploymentTargets with(List<DeploymentTarget> extra) {
        List<DeploymentTarget> out = new ArrayList<>();
        for (DeploymentTarget t : targets) {
            if (extra.stream().noneMatch(e -> e.name().equals(t.name()))) {
                out.add(t);
            }
        }
        out.addAll(extra);
        return new DeploymentTargets(overheadPerDeviceGib, out);
    }

    public DeploymentTargets withOverhead(double gib) {
        return new DeploymentTargets(gib, targets);
    }

    private static Map<?, ?> map(String source, Object node, String where, Set<String> keys) {
        if (!(node instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(source + ": " + where + " must be a mapping with keys " + keys);
        }
        for (Object k : m.keySet()) {
            if (!keys.contains(k)) {
                throw new IllegalArgumentException(source + ": " + where + " has unknown key '" + k + "'; keys: " + keys);
            }
        }
        for (String k : keys) {
            if (m.get(k) == null) {
                throw new IllegalArgumentException(source + ": " + where + " needs '" + k + "'");
            }
        }
        return m;
    }

    private static double number(String source, Map<?, ?> m, String where, String key) {
        if (!(m.get(key) instanceof Number n)) {
            throw new IllegalArgumentException(source + ": " + where + ": '" + key + "' must be a number, not " + m.get(key));
        }
        return n.doubleValue();
    }
}
