package io.quantsweep.eval.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Multiple-choice CSV sets with one file per subject: MMLU (hendrycks/test: no header,
 * {@code question,A,B,C,D,answer}, files {@code <split>/<subject>_<split>.csv}), CMMLU (header
 * {@code ,Question,A,B,C,D,Answer}, files {@code <split>/<subject>.csv}) and C-Eval (header
 * {@code id,question,A,B,C,D,answer,explanation}, files {@code <split>/<subject>_<split>.csv}).
 * Header columns are found by name, so their order does not matter. Item ids are
 * {@code subject/ordinal}, the 0-based record ordinal inside the file (malformed records count).
 */
public final class CsvChoiceLoader implements BenchmarkLoader {
    /** MMLU as in hendrycks/test. */
    public static final CsvChoiceLoader MMLU = new CsvChoiceLoader(true, null);
    /** CMMLU as in haonan-li/CMMLU. */
    public static final CsvChoiceLoader CMMLU = new CsvChoiceLoader(false,
            new Columns("Question", List.of("A", "B", "C", "D"), "Answer", null));
    /** C-Eval as in the ceval-exam archive (a split without answers is refused; explanations where present). */
    public static final CsvChoiceLoader CEVAL = new CsvChoiceLoader(true,
            new Columns("question", List.of("A", "B", "C", "D"), "answer", "explanation"));

    /** MMLU's fixed columns: {@code question,A,B,C,D,answer}. */
    private static final Positions MMLU_POSITIONS = new Positions(6, 0, new int[] {1, 2, 3, 4}, 5, -1);

    /** Column names of a CSV with a header; {@code solution} may be null, and is read only where present. */
    private record Columns(String question, List<String> choices, String answer, String solution) {
    }

    /** Column positions in one file. */
    private record Positions(int fields, int question, int[] choices, int answer, int solution) {
    }

    private final boolean splitInFileName;
    private final Columns header;

    private CsvChoiceLoader(boolean splitInFileName, Columns header) {
        this.splitInFileName = splitInFileName;
        this.header = header;
    }

    @Override
    public LoadedSplit load(DataDir dir, String split) throws IOException {
        String suffix = splitInFileName ? "_" + split + ".csv" : ".csv";
        List<String> files = dir.list(split).stream().filter(f -> f.endsWith(suffix)).toList();
        if (files.isEmpty()) {
            throw new BenchmarkFormatException(BenchmarkFormatException.Reason.NO_DATA,
                    dir.describe(split) + ": no *" + suffix + " file");
        }
        List<Item> items = new ArrayList<>();
        List<MalformedRow> malformed = new ArrayList<>();
        for (String name : files) {
            String file = split + "/" + name;
            String subject = name.substring(0, name.length() - suffix.length());
            try (Reader r = dir.open(file)) {
                readFile(new CsvReader(r, dir.describe(file)), dir.describe(file), subject, items, malformed);
            } catch (CharacterCodingException e) {
                throw new BenchmarkFormatException(BenchmarkFormatException.Reason.BAD_ENCODING,
                        dir.describe(file) + ": not UTF-8 text", e);
            }
        }
        return new LoadedSplit(dir.describe(split), items, malformed);
    }

    private void readFile(CsvReader csv, String file, String subject, List<Item> items,
            List<MalformedRow> malformed) throws IOException {
        Positions at = header == null ? MMLU_POSITIONS : headerPositions(csv.next(), file);
        int ordinal = 0;
        for (CsvReader.Record r = csv.next(); r != null; r = csv.next(), ordinal++) {
            Location where = new Location(file, r.line());
            try {
                items.add(item(r, at, subject + "/" + ordinal, subject, where));
            } catch (BadRow bad) {
                malformed.add(bad.at(where));
            }
        }
    }

    private Positions headerPositions(CsvReader.Record names, String file) throws BenchmarkFormatException {
        if (names == null) {
            throw new BenchmarkFormatException(BenchmarkFormatException.Reason.BAD_HEADER, file + ": empty file");
        }
        List<String> fields = names.fields();
        int[] choices = new int[header.choices().size()];
        for (int i = 0; i < choices.length; i++) {
            choices[i] = column(fields, header.choices().get(i), file, names.line());
        }
        int question = column(fields, header.question(), file, names.line());
        int answer = column(fields, header.answer(), file, names.line());
        int solution = header.solution() == null ? -1 : fields.indexOf(header.solution());
        return new Positions(fields.size(), question, choices, answer, solution);
    }

    private static int column(List<String> header, String name, String file, long line)
            throws BenchmarkFormatException {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new BenchmarkFormatException(BenchmarkFormatException.Reason.BAD_HEADER,
                    file + ":" + line + ": header " + header + " has no column '" + name + "'");
        }
        return i;
    }

    private static Item item(CsvReader.Record r, Positions at, String id, String subject, Location where)
            throws BadRow {
        if (!r.quotingProblem().isEmpty()) {
            throw new BadRow(MalformedRow.Reason.BAD_QUOTING, r.quotingProblem());
        }
        List<String> f = r.fields();
        if (f.size() != at.fields()) {
            throw new BadRow(MalformedRow.Reason.FIELD_COUNT, f.size() + " fields, expected " + at.fields());
        }
        String question = f.get(at.question());
        if (question.isBlank()) {
            throw new BadRow(MalformedRow.Reason.MISSING_FIELD, "empty question");
        }
        List<String> choices = new ArrayList<>(at.choices().length);
        for (int c : at.choices()) {
            choices.add(f.get(c));
        }
        String answer = f.get(at.answer()).strip();
        int index = Item.letterIndex(answer);
        if (index < 0 || index >= choices.size()) {
            throw new BadRow(MalformedRow.Reason.BAD_ANSWER, "answer '" + answer + "' is not one of "
                    + Item.LETTERS.substring(0, choices.size()));
        }
        String solution = at.solution() < 0 ? "" : f.get(at.solution());
        return new Item(id, subject, question, choices, answer, solution, Map.of(), where);
    }
}
