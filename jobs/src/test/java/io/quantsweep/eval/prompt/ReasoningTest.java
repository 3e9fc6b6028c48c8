package io.quantsweep.eval.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReasoningTest {
    @Test
    void theAnswerIsWhatFollowsTheLastClosingTag() {
        assertEquals(new Reasoning.Reply("a </think> b", "Answer: C", true),
                Reasoning.split("<think>\na </think> b\n</think>\n\nAnswer: C\n", false));
    }

    @Test
    void aPrefilledThinkHasNoOpeningTagInTheReply() {
        assertEquals(new Reasoning.Reply("so 4", "\\boxed{4}", true), Reasoning.split("so 4\n</think>\n\\boxed{4}", true));
    }

    @Test
    void thinkingThatNeverClosesHasNoAnswer() {
        assertEquals(new Reasoning.Reply("Answer: B maybe", "", false), Reasoning.split("Answer: B maybe", true));
        assertEquals(new Reasoning.Reply("let me see", "", false), Reasoning.split("  <think>let me see", false));
    }

    @Test
    void aReplyWithoutThinkingIsAllAnswer() {
        assertEquals(new Reasoning.Reply("", "Answer: A", true), Reasoning.split(" Answer: A \n", false));
    }
}
