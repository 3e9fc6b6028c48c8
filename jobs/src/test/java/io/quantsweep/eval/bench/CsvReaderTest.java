package io.quantsweep.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {
    private static List<CsvReader.Record> read(String text) throws IOException {
        List<CsvReader.Record> out = new ArrayList<>();
        try (CsvReader r = new CsvReader(new StringReader(text), "t.csv")) {
            for (CsvReader.Record rec = r.next(); rec != null; rec = r.next()) {
                out.add(rec);
            }
        }
        return out;
    }

    @Test
    void quotedFieldsKeepCommasDoubledQuotesAndLineBreaks() throws IOException {
        List<CsvReader.Record> recs = read("a,\"b,c\",\"say \"\"hi\"\"\"\n\"x\r\ny\",,\"\"\nlast,row");
        assertEquals(List.of("a", "b,c", "say \"hi\""), recs.get(0).fields());
        assertEquals(List.of("x\r\ny", "", ""), recs.get(1).fields());
        assertEquals(List.of("last", "row"), recs.get(2).fields());
        assertEquals(List.of(1L, 2L, 4L), recs.stream().map(CsvReader.Record::line).toList());
        assertTrue(recs.stream().allMatch(r -> r.quotingProblem().isEmpty()));
    }

    @Test
    void crlfLoneCrBlankLinesBomAndTrailingComma() throws IOException {
        List<CsvReader.Record> recs = read("\uFEFFh1,h2\r\n\r\n1,\r2,x\n\n\n3,\"q\nq\"\n4,y");
        assertEquals(List.of("h1", "h2"), recs.get(0).fields());
        assertEquals(List.of("1", ""), recs.get(1).fields());
        assertEquals(List.of("2", "x"), recs.get(2).fields());
        assertEquals(List.of("3", "q\nq"), recs.get(3).fields());
        assertEquals(List.of("4", "y"), recs.get(4).fields());
        assertEquals(List.of(1L, 3L, 4L, 7L, 9L), recs.stream().map(CsvReader.Record::line).toList());
        assertEquals(5, recs.size());
    }

    @Test
    void emptyInputHasNoRecord() throws IOException {
        assertEquals(List.of(), read(""));
        assertEquals(List.of(), read("\n\r\n"));
        try (CsvReader r = new CsvReader(new StringReader("a\n"), "t.csv")) {
            r.next();
            assertNull(r.next());
            assertNull(r.next());
        }
    }

    @Test
    void quotingBreaksAreReportedOnTheRecordAndReadingGoesOn() throws IOException {
        List<CsvReader.Record> recs = read("ok,1\nab\"c,2\n\"q\"x,3\nok,4\n");
        assertEquals("", recs.get(0).quotingProblem());
        assertEquals("quote inside unquoted field 1", recs.get(1).quotingProblem());
        assertEquals(List.of("ab\"c", "2"), recs.get(1).fields());
        assertEquals("text after the closing quote of field 1", recs.get(2).quotingProblem());
        assertEquals(List.of("qx", "3"), recs.get(2).fields());
        assertEquals(List.of("ok", "4"), recs.get(3).fields());
        assertEquals(4L, recs.get(3).line());
    }

    @Test
    void anUnterminatedQuoteNamesTheLineItOpened() {
        BenchmarkFormatException e = assertThrows(BenchmarkFormatException.class,
                () -> read("a,b\nc,\"open\nmore\nlines"));
        assertEquals(BenchmarkFormatException.Reason.UNTERMINATED_QUOTE, e.reason());
        assertTrue(e.getMessage().startsWith("t.csv:2: "), e.getMessage());
    }
}
