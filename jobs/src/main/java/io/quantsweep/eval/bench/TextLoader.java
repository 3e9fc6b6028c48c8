package io.quantsweep.eval.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.List;

/**
 * A text corpus for next-token comparisons ({@code kld}): {@code <split>.jsonl} with one passage per
 * line ({@code text}, optional {@code id}), or else {@code <split>.txt} with passages separated by
 * blank lines, ids the 0-based passage ordinals. Each passage is a free-answer {@link Item} whose
 * question is the passage (line breaks inside a passage kept) and whose answer is empty.
 */
public final class TextLoader implements BenchmarkLoader {
    /** The one instance. */
    public static final TextLoader INSTANCE = new TextLoader();

    private TextLoader() {
    }

    @Override
    public LoadedSplit load(DataDir dir, String split) throws IOException {
        if (dir.exists(split + ".jsonl")) {
            return JsonlLoader.PASSAGES.load(dir, split);
        }
        String file = split + ".txt";
        String name = dir.describe(file);
        if (!dir.exists(file)) {
            throw new BenchmarkFormatException(BenchmarkFormatException.Reason.NO_DATA,
                    dir.describe(split + ".jsonl") + " or " + name + ": no such file");
        }
        List<Item> items = new ArrayList<>();
        StringBuilder passage = new StringBuilder();
        long first = 0;
        try (BufferedReader lines = new BufferedReader(dir.open(file))) {
            long lineNo = 0;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    add(items, passage, name, first);
                } else {
                    if (passage.isEmpty()) {
                        first = lineNo;
                    } else {
                        passage.append('\n');
                    }
                    passage.append(line);
                }
            }
            add(items, passage, name, first);
        } catch (CharacterCodingException e) {
            throw new BenchmarkFormatException(BenchmarkFormatException.Reason.BAD_ENCODING, name + ": not UTF-8 text", e);
        }
        return new LoadedSplit(name, items, List.of());
    }

    private static void add(List<Item> items, StringBuilder passage, String file, long line) {
        if (!passage.isEmpty()) {
            items.add(Item.free(Integer.toString(items.size()), "", passage.toString(), "", "", new Location(file, line)));
            passage.setLength(0);
        }
    }
}
