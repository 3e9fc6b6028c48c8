package io.quantsweep.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Options whose value names a constant of an enum, in any case: {@code --mla split}, {@code --device gpu}. */
final class EnumOptions {
    private EnumOptions() {
    }

    /**
     * The constant of {@code type} that {@code value} names; otherwise a usage error that lists the names
     * {@code option} takes, so that the command exits with the bad-input status and points to its help.
     */
    static <E extends Enum<E>> E parse(CommandSpec spec, String option, String value, Class<E> type) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
            int last = names.size() - 1;
            String allowed = last == 0 ? names.get(0) : String.join(", ", names.subList(0, last)) + " or " + names.get(last);
            throw new ParameterException(spec.commandLine(), "%s must be %s, not '%s'".formatted(option, allowed, value));
        }
    }
}
