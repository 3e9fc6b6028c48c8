package io.quantsweep.eval.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.bench.Location;
import io.quantsweep.eval.prompt.ChatFormat;
import io.quantsweep.eval.prompt.PromptBuilder;
import io.quantsweep.eval.prompt.PromptTemplate;
import io.quantsweep.eval.prompt.ShotSelection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where passages are cut for kld, and what each cut sends. */
class WorkItemTest {
    private static final ShotSelection.Exemplars NO_SHOTS = ShotSelection.FIRST_N.prepare(List.of(), List.of(), 0, 0);

    private static WorkItem passage(String id, String text, int count, long seed) {
        Item item = Item.free(id, "", text, "", "", new Location("p.txt", 1));
        return WorkItem.cut(item, new PromptBuilder(PromptTemplate.PASSAGE, ChatFormat.NONE, NO_SHOTS).build(item),
                count, seed);
    }

    @Test
    void cutsFallRightAfterAWordThatHasAnotherAfterIt() {
        String text = "One two  three\nfour five.  ";
        WorkItem all = passage("p", text, 99, 1);
        assertEquals(List.of(3, 7, 14, 19), all.cuts(), "word ends before a later word; none after 'five.'");
        assertEquals(4, all.samples(1));
        assertEquals("One two", all.text(1));
        assertEquals("  three", all.continuation(1));
        assertEquals("\nfour", all.continuation(2));
        assertEquals(" five.", all.continuation(3));
    }

    @Test
    void theDrawDependsOnSeedAndPassageOnlyAndKeepsTextOrder() {
        String text = "a b c d e f g h i j k l m n o p";
        WorkItem three = passage("p", text, 3, 7);
        assertEquals(3, three.cuts().size());
        assertEquals(three.cuts(), passage("p", text, 3, 7).cuts());
        assertEquals(three.cuts().stream().sorted().toList(), three.cuts());
        assertTrue(passage("p", text, 99, 7).cuts().containsAll(three.cuts()));
        assertNotEquals(three.cuts(), passage("p", text, 3, 8).cuts());
        assertNotEquals(three.cuts(), passage("q", text, 3, 7).cuts());
        assertEquals(List.of(), passage("p", "single", 3, 7).cuts());
    }

    @Test
    void aWholeItemSendsItsPromptForEverySample() {
        Item item = Item.free("x", "", "What?", "1", "", new Location("q.jsonl", 1));
        WorkItem w = WorkItem.whole(item, new PromptBuilder(PromptTemplate.GSM8K_LM_EVAL, ChatFormat.NONE, NO_SHOTS).build(item));
        assertEquals(5, w.samples(5));
        assertEquals(w.prompt().text(), w.text(3));
        assertEquals("", w.continuation(0));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", WorkItem.hash("abc"));
    }
}
