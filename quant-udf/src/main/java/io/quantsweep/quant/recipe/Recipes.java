package io.quantsweep.quant.recipe;

import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.recipe.RecipeException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds a recipe by variant name. {@link #resolve} tries, in order:
 * <ol>
 *   <li>a path ending in {@code .yaml} / {@code .yml}: that recipe file;</li>
 *   <li>a llama.cpp file type or alias ({@code Q4_K_M}, {@code q3_k_s}, {@code Q4_K} = Q4_K_M,
 *       {@code Q4_0}, {@code IQ4_XS}): the mixture llama-quantize makes of it;</li>
 *   <li>a built-in recipe file ({@link #BUILT_IN}: {@code Q2_K_L}, {@code DQ3_K_M});</li>
 *   <li>{@code pure:TYPE}: every quantizable tensor in TYPE (llama-quantize {@code --pure});</li>
 *   <li>any other ggml type name ({@code F16}, {@code BF16}, {@code F32}): pure in that type.</li>
 * </ol>
 * So {@code Q4_K} is the Q4_K_M mixture and {@code Q4_0} the Q4_0 file type (output head in Q6_K), as
 * in llama-quantize; a pure Q4_K or Q4_0 is {@code pure:Q4_K}, {@code pure:Q4_0}. Names are
 * case-insensitive.
 *
 * <p>The built-in recipe files live in {@code conf/recipes/} and the build copies them onto the
 * classpath, so the folder stays their one source.
 */
public final class Recipes {

    /** The recipe files of {@code conf/recipes/}, by name. */
    public static final List<String> BUILT_IN = List.of("Q2_K_L", "DQ3_K_M");

    private Recipes() {
    }

    /**
     * The recipe a variant name or file stands for.
     *
     * @throws RecipeException {@code UNKNOWN_VARIANT} naming the known variants, or any refusal of the
     *     recipe file
     */
    public static Recipe resolve(String variant) {
        String v = variant.strip();
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
            return RecipeFiles.load(Path.of(v));
        }
        Optional<Mixture> mixture = Mixture.byName(v);
        if (mixture.isPresent()) {
            return Recipe.of(mixture.get());
        }
        for (String name : BUILT_IN) {
            if (name.equalsIgnoreCase(v)) {
                return builtIn(name);
            }
        }
        boolean explicitPure = lower.startsWith(PureType.PREFIX);
        String typeName = explicitPure ? v.substring(PureType.PREFIX.length()) : v;
        try {
            return Recipe.of(new PureType(GgmlType.parse(typeName)));
        } catch (IllegalArgumentException e) {
            throw new RecipeException(explicitPure ? Reason.UNKNOWN_TYPE : Reason.UNKNOWN_VARIANT, SourceLine.of(v),
                    "unknown variant: not a mixture, built-in recipe, pure:TYPE, ggml type or .yaml file; known: "
                            + names() + " and pure:TYPE",
                    e);
        }
    }

    /** The mixtures and built-in recipes, in order. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (Mixture m : Mixture.values()) {
            names.add(m.name());
        }
        names.addAll(BUILT_IN);
        return List.copyOf(names);
    }

    private static Recipe builtIn(String name) {
        String file = name + ".yaml";
        String source = "conf/recipes/" + file;
        try (InputStream in = Recipes.class.getResourceAsStream("builtin/" + file)) {
            if (in == null) {
                throw new RecipeException(Reason.IO, SourceLine.of(source), "built-in recipe missing from the classpath");
            }
            return RecipeFiles.parse(name, source, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RecipeException(Reason.IO, SourceLine.of(source), "cannot read built-in recipe: " + e, e);
        }
    }
}
