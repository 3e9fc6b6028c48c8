package io.quantsweep.eval.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * JSON Lines sets, one object per line in {@code <split>.jsonl}: GSM8K ({@code question}, {@code answer}
 * ending in {@code #### N}), MATH-500 ({@code problem, solution, answer, subject, level, unique_id}),
 * AIME ({@code id, problem, solution, answer, url}) and generic multiple-choice or free-answer files
 * described by {@link JsonlFields}. Blank lines are skipped; ids default to the 0-based record ordinal.
 */
public final class JsonlLoader implements BenchmarkLoader {
    /** GSM8K (openai/grade-school-math): gold = the text after the last {@code #### }, commas removed. */
    public static final JsonlLoader GSM8K = new JsonlLoader(JsonlLoader::gsm8k);
    /** MATH-500 (PRM800K test subset); tag {@code level}. */
    public static final JsonlLoader MATH500 = new JsonlLoader(JsonlLoader::math500);
    /** AIME as in Qwen2.5-Math's {@code aime24/test.jsonl}; tag {@code url}. */
    public static final JsonlLoader AIME = new JsonlLoader(JsonlLoader::aime);
    /** Text passages ({@code text}, optional {@code id}) for {@link TextLoader}; no answer. */
    static final JsonlLoader PASSAGES = new JsonlLoader((row, ordinal, where) -> Item.free(
            optional(row, "id", Integer.toString(ordinal)), "", required(row, "text"), "", "", where));

    private static final ObjectReader JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .readerFor(JsonNode.class);
    private static final String GSM8K_MARK = "#### ";

    /** Maps one parsed row to an item, or rejects it. */
    @FunctionalInterface
    private interface RowMapper {
        Item map(JsonNode row, int ordinal, Location where) throws BadRow;
    }

    private final RowMapper mapper;

    private JsonlLoader(RowMapper mapper) {
        this.mapper = mapper;
    }

    /** A multiple-choice file with the given field names. */
    public static JsonlLoader multipleChoice(JsonlFields fields) {
        return new JsonlLoader((row, ordinal, where) -> {
            JsonNode list = row.get(fields.choices());
            if (list == null || !list.isArray() || list.size() < 2 || list.size() > Item.LETTERS.length()) {
                throw new BadRow(MalformedRow.Reason.MISSING_FIELD,
                        "field '" + fields.choices() + "' is not an array of 2 to 26 strings");
            }
            List<String> choices = new ArrayList<>(list.size());
            for (JsonNode c : list) {
                if (!c.isTextual()) {
                    throw new BadRow(MalformedRow.Reason.MISSING_FIELD,
                            "field '" + fields.choices() + "' holds a " + c.getNodeType() + ", not a string");
                }
                choices.add(c.textValue());
            }
            return new Item(optional(row, fields.id(), Integer.toString(ordinal)), optional(row, fields.subject(), ""),
                    required(row, fields.question()), choices, letter(row, fields.answer(), choices.size()),
                    optional(row, fields.solution(), ""), Map.of(), where);
        });
    }

    /** A free-answer file with the given field names (the answer may be a JSON string or number). */
    public static JsonlLoader freeAnswer(JsonlFields fields) {
        return new JsonlLoader((row, ordinal, where) -> Item.free(
                optional(row, fields.id(), Integer.toString(ordinal)), optional(row, fields.subject(), ""),
                required(row, fields.question()), required(row, fields.answer()),
                optional(row, fields.solution(), ""), where));
    }

    @Override
    public LoadedSplit load(DataDir dir, String split) throws IOException {
        String file = split + ".jsonl";
        String name = dir.describe(file);
        if (!dir.exists(file)) {
            throw new BenchmarkFormatException(BenchmarkFormatException.Reason.NO_DATA, name + ": no such file");
        }
        List<Item> items = new ArrayList<>();
        List<MalformedRow> malformed = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        try (BufferedReader lines = new BufferedReader(dir.open(file))) {
            int ordinal = 0;
            long lineNo = 0;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                Location where = new Location(name, lineNo);
                try {
                    Item item = mapper.map(parse(line), ordinal, where);
                    if (!ids.add(item.id())) {
                        throw new BadRow(MalformedRow.Reason.DUPLICATE_ID, "id '" + item.id() + "' used before");
                    }
                    items.add(item);
                } catch (BadRow bad) {
                    malformed.add(bad.at(where));
                }
                ordinal++;
            }
        } catch (CharacterCodingException e) {
            throw new BenchmarkFormatException(BenchmarkFormatException.Reason.BAD_ENCODING,
                    name + ": not UTF-8 text", e);
        }
        return new LoadedSplit(name, items, malformed);
    }

    private static JsonNode parse(String line) throws BadRow {
        JsonNode row;
        try {
            row = JSON.readValue(line);
        } catch (JsonProcessingException e) {
            throw new BadRow(MalformedRow.Reason.BAD_JSON, "not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRow(MalformedRow.Reason.BAD_JSON, "not JSON: " + e.getMessage());
        }
        if (row == null || !row.isObject()) {
            throw new BadRow(MalformedRow.Reason.BAD_JSON, "not a JSON object");
        }
        return row;
    }

    private static Item gsm8k(JsonNode row, int ordinal, Location where) throws BadRow {
        String solution = required(row, "answer");
        int mark = solution.lastIndexOf(GSM8K_MARK);
        String gold = mark < 0 ? "" : solution.substring(mark + GSM8K_MARK.length()).strip().replace(",", "");
        if (gold.isEmpty()) {
            throw new BadRow(MalformedRow.Reason.BAD_ANSWER, "field 'answer' has no '#### <number>' line");
        }
        return Item.free(Integer.toString(ordinal), "", required(row, "question"), gold, solution, where);
    }

    private static Item math500(JsonNode row, int ordinal, Location where) throws BadRow {
        Map<String, String> tags = new TreeMap<>();
        tags.put("level", scalar(row, "level"));
        return new Item(required(row, "unique_id"), required(row, "subject"), required(row, "problem"), List.of(),
                required(row, "answer"), required(row, "solution"), tags, where);
    }

    private static Item aime(JsonNode row, int ordinal, Location where) throws BadRow {
        Map<String, String> tags = new TreeMap<>();
        if (row.hasNonNull("url")) {
            tags.put("url", scalar(row, "url"));
        }
        return new Item(scalar(row, "id"), "", required(row, "problem"), List.of(), required(row, "answer"),
                optional(row, "solution", ""), tags, where);
    }

    /** A non-blank string, or a number written as text. */
    private static String required(JsonNode row, String field) throws BadRow {
        String s = scalar(row, field);
        if (s.isBlank()) {
            throw new BadRow(MalformedRow.Reason.MISSING_FIELD, "field '" + field + "' is blank");
        }
        return s;
    }

    private static String scalar(JsonNode row, String field) throws BadRow {
        JsonNode v = row.get(field);
        if (v == null || v.isNull()) {
            throw new BadRow(MalformedRow.Reason.MISSING_FIELD, "no field '" + field + "'");
        }
        if (!v.isTextual() && !v.isIntegralNumber()) {
            throw new BadRow(MalformedRow.Reason.MISSING_FIELD,
                    "field '" + field + "' is a " + v.getNodeType() + ", not a string or an integer");
        }
        return v.asText();
    }

    private static String optional(JsonNode row, String field, String absent) throws BadRow {
        return row.hasNonNull(field) ? scalar(row, field) : absent;
    }

    private static String letter(JsonNode row, String field, int choices) throws BadRow {
        JsonNode v = row.get(field);
        String letters = Item.LETTERS.substring(0, choices);
        if (v != null && v.isIntegralNumber() && v.canConvertToInt() && v.intValue() >= 0 && v.intValue() < choices) {
            return Item.letter(v.intValue());
        }
        if (v != null && v.isTextual() && Item.letterIndex(v.textValue().strip()) >= 0
                && Item.letterIndex(v.textValue().strip()) < choices) {
            return v.textValue().strip();
        }
        throw new BadRow(MalformedRow.Reason.BAD_ANSWER, "field '" + field + "' is " + v
                + ", not one of " + letters + " or an index 0.." + (choices - 1));
    }
}
