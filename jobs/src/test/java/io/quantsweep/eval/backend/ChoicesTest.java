package io.quantsweep.eval.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The three ways a choice is told to an engine, and the value types' own checks. */
class ChoicesTest {

    @Test
    void gbnfQuotesEveryChoice() {
        assertEquals("root ::= \"A\" | \"B\"", Choices.gbnf(List.of("A", "B")));
        assertEquals("root ::= \" \\\"x\\\"\" | \"a\\\\b\" | \"line\\n\\t\" | \"\\x01\" | \"答案\"",
                Choices.gbnf(List.of(" \"x\"", "a\\b", "line\n\t", "\u0001", "答案")));
    }

    @Test
    void regexMatchesExactlyTheChoices() {
        assertEquals("( A| B|C: x)", Choices.regex(List.of(" A", " B", "C: x")), "a space or colon is not escaped");
        List<String> choices = List.of("A", "(B)", "C.D", "a|b", " yes", "答案", "1+1", "[x]{2}", "^$\\?*");
        Pattern p = Pattern.compile(Choices.regex(choices));
        for (String c : choices) {
            assertTrue(p.matcher(c).matches(), c);
        }
        for (String other : List.of("B", "CxD", "a", "b", "yes", "11", "A(B)", "xx", "")) {
            assertTrue(!p.matcher(other).matches(), other);
        }
    }

    @Test
    void budgetFitsTheLongestChoiceInBytesAndTheEnd() {
        assertEquals(2, Choices.tokenBudget(List.of("A", "B")));
        assertEquals(7, Choices.tokenBudget(List.of("A", "答案")), "6 UTF-8 bytes + end of sequence");
    }

    @Test
    void matchNamesTheChoiceOrRefusesAnAnswerOutsideThem() throws BackendException {
        List<String> ab = List.of("A", "B");
        assertEquals(new Choice(1, "B", Duration.ZERO, 2), Choices.match(ab, answer("B", 2, FinishReason.STOP, 2), 2, "x"));
        assertEquals(new Choice(1, "B", Duration.ZERO, 2), Choices.match(ab, answer("B", 1, FinishReason.LENGTH, 2), 2, "x"),
                "whole at the context's end");
        BackendException e = assertThrows(BackendException.class,
                () -> Choices.match(ab, answer(" B", 2, FinishReason.STOP, 1), 2, "srv"));
        assertEquals(BackendException.Reason.BAD_RESPONSE, e.reason());
        assertTrue(e.getMessage().contains("srv answered ' B'"), e.getMessage());
        // cut by the context's end, before the budget: the prompt is too long for the choices
        List<String> cities = List.of("Paris", "Berlin");
        BackendException cut = assertThrows(BackendException.class,
                () -> Choices.match(cities, answer("Berli", 2, FinishReason.LENGTH, 1), 7, "srv"));
        assertEquals(BackendException.Reason.REJECTED, cut.reason());
        assertTrue(cut.getMessage().startsWith("srv answered 'Berli' when its context ended, after 2 of its 7 tokens"),
                cut.getMessage());
        // the whole budget spent outside the choices: the constraint was not applied
        assertEquals(BackendException.Reason.BAD_RESPONSE, assertThrows(BackendException.class,
                () -> Choices.match(cities, answer("Lisbon!", 7, FinishReason.LENGTH, 1), 7, "srv")).reason());
    }

    private static Completion answer(String text, int tokens, FinishReason finish, int attempts) {
        return new Completion(text, tokens, finish, Duration.ZERO, List.of(), attempts);
    }

    @Test
    void valuesCheckThemselves() {
        assertThrows(IllegalArgumentException.class, () -> GenerationParams.builder().maxTokens(0).build());
        assertThrows(IllegalArgumentException.class, () -> GenerationParams.builder().temperature(-0.1).build());
        assertThrows(IllegalArgumentException.class, () -> GenerationParams.builder().topP(0).build());
        assertThrows(IllegalArgumentException.class, () -> GenerationParams.builder().minP(1).build());
        assertThrows(IllegalArgumentException.class, () -> GenerationParams.builder().seed(-1).build());
        assertThrows(IllegalArgumentException.class, () -> GenerationParams.builder().stop(List.of("")).build());
        assertThrows(IllegalArgumentException.class, () -> new TokenLogprob("A", 0.1));

        NextTokenDistribution d = new NextTokenDistribution(List.of(new TokenLogprob("B", -2), new TokenLogprob("A", -0.1),
                new TokenLogprob("B", -1)), Duration.ZERO, 1);
        assertEquals(List.of("A", "B", "B"), d.top().stream().map(TokenLogprob::token).toList());
        assertEquals(-1.0, d.logprob("B").orElseThrow(), "a repeated text gives its most probable entry");
        assertEquals(List.of("A", "B"), List.copyOf(d.asMap().keySet()));
    }

    @Test
    void capabilitiesNameWhatIsMissing() throws BackendException {
        Capabilities c = Capabilities.of(Capability.GENERATE, Capability.CHOOSE);
        c.require("x", Capability.GENERATE);
        BackendException e = assertThrows(BackendException.class, () -> c.require("embedded b1", Capability.TOP_K, Capability.CHOOSE));
        assertEquals(BackendException.Reason.MISSING_CAPABILITY, e.reason());
        assertTrue(e.getMessage().contains("backend embedded b1 cannot TOP_K") && !e.getMessage().contains("cannot CHOOSE"),
                e.getMessage());
    }
}
