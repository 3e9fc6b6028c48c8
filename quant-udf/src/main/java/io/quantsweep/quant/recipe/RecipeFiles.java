package io.quantsweep.quant.recipe;

import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.recipe.RecipeException.Reason;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads recipe files ({@code conf/recipes/*.yaml}). The recipe's name is the file name without
 * {@code .yaml}. Format:
 *
 * <pre>
 * description: free text                  # optional
 * base: Q3_K_M                            # a llama.cpp mixture (Q2_K ... Q8_0, aliases Q3_K/Q4_K/Q5_K) or pure:TYPE
 * token_embedding: Q8_0                   # optional: type of token_embd.weight, bypasses base and rules
 * output: Q8_0                            # optional: type of output.weight, bypasses base and rules
 * rules:                                  # optional, tried in order, first match wins
 *   - tensor: 'ffn_down_exps\.weight$'    # Java regex, searched in the tensor name
 *     layers: 5-60/5                      # optional: N, A-B, A-B/S, comma-separated or a list
 *     type: Q4_K
 * </pre>
 *
 * Everything is checked while loading, and a refusal names the file and line: malformed YAML, an
 * unknown or duplicate key, an unknown or unwritable type, a bad regex or layer list, rules on a
 * non-quantized base. Whether a rule's type fits the rows it decides is checked by
 * {@link Recipe#plan}, again with the rule's line. The file is only composed into YAML nodes, never
 * turned into Java objects by the YAML library.
 */
public final class RecipeFiles {
    private static final Set<String> RECIPE_KEYS = Set.of("description", "base", "token_embedding", "output", "rules");
    private static final Set<String> RULE_KEYS = Set.of("tensor", "layers", "type");

    private RecipeFiles() {
    }

    /** Loads a recipe file; the recipe's name is the file name without its extension. */
    public static Recipe load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new RecipeException(Reason.IO, SourceLine.of(file.toString()), "no such recipe file", e);
        } catch (IOException e) {
            throw new RecipeException(Reason.IO, SourceLine.of(file.toString()), "cannot read recipe: " + e, e);
        }
        return parse(nameOf(file.getFileName().toString()), file.toString(), text);
    }

    /**
     * Parses recipe text.
     *
     * @param name the recipe's name
     * @param source the file name for messages
     */
    public static Recipe parse(String name, String source, String text) {
        Node root = compose(source, text);
        if (root == null) {
            throw new RecipeException(Reason.MISSING_KEY, new SourceLine(source, 1), "empty recipe; it needs at least 'base'");
        }
        Map<String, Node> keys = mapping(source, root, RECIPE_KEYS, "a recipe");
        Node baseNode = require(source, root, keys, "base");
        RecipeBase base = base(source, baseNode);
        String description = keys.containsKey("description") ? scalar(source, keys.get("description"), "description") : "";
        Optional<TypeOverride> tokenEmbedding = override(source, keys.get("token_embedding"), "token_embedding");
        Optional<TypeOverride> output = override(source, keys.get("output"), "output");
        List<Rule> rules = new ArrayList<>();
        if (keys.containsKey("rules")) {
            Node rulesNode = keys.get("rules");
            if (!(rulesNode instanceof SequenceNode seq)) {
                throw bad(source, rulesNode, "'rules' must be a list of {tensor, layers, type}");
            }
            for (Node item : seq.getValue()) {
                rules.add(rule(source, item));
            }
        }
        return new Recipe(name, SourceLine.of(source), description, base, rules, tokenEmbedding, output);
    }

    /** {@code DQ3_K_M.yaml} → {@code DQ3_K_M}. */
    static String nameOf(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".yaml")) {
            return fileName.substring(0, fileName.length() - 5);
        }
        if (lower.endsWith(".yml")) {
            return fileName.substring(0, fileName.length() - 4);
        }
        return fileName;
    }

    private static Node compose(String source, String text) {
        try {
            return new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            String what = e.getContext() == null ? e.getProblem() : e.getContext() + ", " + e.getProblem();
            throw new RecipeException(Reason.BAD_YAML, new SourceLine(source, line), "not valid YAML: " + what, e);
        } catch (YAMLException e) {
            throw new RecipeException(Reason.BAD_YAML, SourceLine.of(source), "not valid YAML: " + e.getMessage(), e);
        }
    }

    private static Rule rule(String source, Node item) {
        Map<String, Node> keys = mapping(source, item, RULE_KEYS, "a rule");
        Node tensorNode = require(source, item, keys, "tensor");
        Node typeNode = require(source, item, keys, "type");
        String regex = scalar(source, tensorNode, "tensor");
        if (regex.isEmpty()) {
            throw new RecipeException(Reason.BAD_REGEX, at(source, tensorNode), "empty tensor pattern");
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new RecipeException(Reason.BAD_REGEX, at(source, tensorNode),
                    "bad tensor pattern '%s': %s at index %d".formatted(regex, e.getDescription(), e.getIndex()), e);
        }
        LayerSet layers = keys.containsKey("layers") ? layers(source, keys.get("layers")) : LayerSet.ANY;
        return new Rule(pattern, layers, type(source, typeNode, "type"), at(source, item));
    }

    private static LayerSet layers(String source, Node node) {
        String text;
        if (node instanceof SequenceNode seq) {
            List<String> items = new ArrayList<>();
            for (Node n : seq.getValue()) {
                items.add(scalar(source, n, "layers"));
            }
            text = String.join(", ", items);
        } else {
            text = scalar(source, node, "layers");
        }
        try {
            return LayerSet.parse(text);
        } catch (IllegalArgumentException e) {
            throw new RecipeException(Reason.BAD_LAYERS, at(source, node), e.getMessage(), e);
        }
    }

    private static RecipeBase base(String source, Node node) {
        String text = scalar(source, node, "base");
        Optional<Mixture> mixture = Mixture.byName(text);
        if (mixture.isPresent()) {
            return mixture.get();
        }
        if (text.toLowerCase(Locale.ROOT).startsWith(PureType.PREFIX)) {
            GgmlType type = parseType(source, node, text.substring(PureType.PREFIX.length()));
            return new PureType(Recipe.requireCodec(type, at(source, node)));
        }
        throw new RecipeException(Reason.UNKNOWN_BASE, at(source, node),
                "unknown base '%s': a mixture %s or pure:TYPE".formatted(text, List.of(Mixture.values())));
    }

    private static Optional<TypeOverride> override(String source, Node node, String key) {
        return node == null ? Optional.empty() : Optional.of(new TypeOverride(type(source, node, key), at(source, node)));
    }

    private static GgmlType type(String source, Node node, String key) {
        return Recipe.requireCodec(parseType(source, node, scalar(source, node, key)), at(source, node));
    }

    private static GgmlType parseType(String source, Node node, String text) {
        try {
            return GgmlType.parse(text);
        } catch (IllegalArgumentException e) {
            throw new RecipeException(Reason.UNKNOWN_TYPE, at(source, node), e.getMessage(), e);
        }
    }

    private static Map<String, Node> mapping(String source, Node node, Set<String> allowed, String what) {
        if (!(node instanceof MappingNode map)) {
            throw bad(source, node, what + " must be a mapping of " + allowed);
        }
        Map<String, Node> keys = new LinkedHashMap<>();
        for (NodeTuple tuple : map.getValue()) {
            String key = scalar(source, tuple.getKeyNode(), "key");
            if (!allowed.contains(key)) {
                throw new RecipeException(Reason.UNKNOWN_KEY, at(source, tuple.getKeyNode()),
                        "unknown key '%s' in %s; allowed: %s".formatted(key, what, allowed));
            }
            if (keys.put(key, tuple.getValueNode()) != null) {
                throw new RecipeException(Reason.DUPLICATE_KEY, at(source, tuple.getKeyNode()), "duplicate key '" + key + "'");
            }
        }
        return keys;
    }

    private static Node require(String source, Node owner, Map<String, Node> keys, String key) {
        Node node = keys.get(key);
        if (node == null) {
            throw new RecipeException(Reason.MISSING_KEY, at(source, owner), "missing key '" + key + "'");
        }
        return node;
    }

    private static String scalar(String source, Node node, String what) {
        if (!(node instanceof ScalarNode s)) {
            throw bad(source, node, "'" + what + "' must be a single value");
        }
        return s.getValue().strip();
    }

    private static RecipeException bad(String source, Node node, String detail) {
        return new RecipeException(Reason.BAD_YAML, at(source, node), detail);
    }

    private static SourceLine at(String source, Node node) {
        return new SourceLine(source, node.getStartMark().getLine() + 1);
    }
}
