package io.quantsweep.eval.prompt;

/**
 * Splits an R1-style reply into its reasoning and its final answer. Answers are read only after the
 * last {@code </think>}; a reply whose thinking never closes (cut off by the token limit) has no answer.
 */
public final class Reasoning {
    public static final String OPEN = "<think>";
    public static final String CLOSE = "</think>";

    private Reasoning() {
    }

    /**
     * A reply split in two.
     *
     * @param reasoning the thinking, without the tags
     * @param answer    the text after the thinking, stripped; empty if the thinking never closed
     * @param closed    false if the reply is still inside its thinking at the end
     */
    public record Reply(String reasoning, String answer, boolean closed) {
    }

    /**
     * @param reply          the generated text
     * @param thinkPrefilled whether the prompt already opened the thinking ({@link Prompt#thinkPrefilled()})
     */
    public static Reply split(String reply, boolean thinkPrefilled) {
        int close = reply.lastIndexOf(CLOSE);
        if (close >= 0) {
            return new Reply(withoutOpenTag(reply.substring(0, close)).strip(),
                    reply.substring(close + CLOSE.length()).strip(), true);
        }
        if (thinkPrefilled || reply.stripLeading().startsWith(OPEN)) {
            return new Reply(withoutOpenTag(reply).strip(), "", false);
        }
        return new Reply("", reply.strip(), true);
    }

    private static String withoutOpenTag(String s) {
        String t = s.stripLeading();
        return t.startsWith(OPEN) ? t.substring(OPEN.length()) : s;
    }
}
