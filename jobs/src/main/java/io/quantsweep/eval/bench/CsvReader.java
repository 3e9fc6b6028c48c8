package io.quantsweep.eval.bench;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 4180 CSV reader that knows the line each record starts on.
 *
 * <p>Fields are separated by commas and records by CRLF, LF or a lone CR. A field that starts with a
 * double quote runs to the matching closing quote, may hold commas, quotes written twice and line
 * breaks (kept exactly as written, CR included), and is followed by a comma or the end of the record.
 * A leading byte-order mark is dropped and blank lines are skipped.
 *
 * <p>Two breaks of the quoting rules leave the record readable, so they are reported on the record
 * ({@link Record#quotingProblem()}) and reading goes on: a quote inside an unquoted field, and text
 * after a closing quote (both characters are kept, as Python's csv module keeps them). A quoted field
 * that never closes swallows the rest of the file, so it throws.
 */
public final class CsvReader implements AutoCloseable {
    private static final int EOF = -1;

    private final Reader in;
    private final String file;
    private final char[] buf = new char[1 << 14];
    private int pos;
    private int len;
    private int pushedBack = Integer.MIN_VALUE;
    private long line = 1;
    private boolean started;

    /**
     * One record.
     *
     * @param line           1-based line on which the record starts
     * @param fields         the field values
     * @param quotingProblem what broke the quoting rules, or empty
     */
    public record Record(long line, List<String> fields, String quotingProblem) {
        public Record {
            fields = List.copyOf(fields);
        }
    }

    /** @param file how messages name the input */
    public CsvReader(Reader in, String file) {
        this.in = in;
        this.file = file;
    }

    /** The next non-blank record, or null at the end of the input. */
    public Record next() throws IOException {
        while (true) {
            int c = read();
            if (c == EOF) {
                return null;
            }
            if (c == '\n' || c == '\r') {
                endOfLine(c);
                continue;
            }
            return record(c);
        }
    }

    private Record record(int first) throws IOException {
        long startLine = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        String problem = "";
        int c = first;
        while (true) {
            if (c == '"') {
                long quoteLine = line;
                while (true) {
                    c = read();
                    if (c == EOF) {
                        throw new BenchmarkFormatException(BenchmarkFormatException.Reason.UNTERMINATED_QUOTE,
                                file + ":" + quoteLine + ": quoted field never closes");
                    }
                    if (c == '"') {
                        c = read();
                        if (c != '"') {
                            break;
                        }
                    } else if (c == '\n' || (c == '\r' && peek() != '\n')) {
                        line++;
                    }
                    field.append((char) c);
                }
                if (c != ',' && c != '\n' && c != '\r' && c != EOF && problem.isEmpty()) {
                    problem = "text after the closing quote of field " + (fields.size() + 1);
                }
            }
            while (c != ',' && c != '\n' && c != '\r' && c != EOF) {
                if (c == '"' && problem.isEmpty()) {
                    problem = "quote inside unquoted field " + (fields.size() + 1);
                }
                field.append((char) c);
                c = read();
            }
            fields.add(field.toString());
            field.setLength(0);
            if (c != ',') {
                if (c != EOF) {
                    endOfLine(c);
                }
                return new Record(startLine, fields, problem);
            }
            c = read();
        }
    }

    /** Consumes the LF of a CRLF pair and counts the line. */
    private void endOfLine(int c) throws IOException {
        if (c == '\r' && peek() == '\n') {
            read();
        }
        line++;
    }

    private int peek() throws IOException {
        if (pushedBack == Integer.MIN_VALUE) {
            pushedBack = readRaw();
        }
        return pushedBack;
    }

    private int read() throws IOException {
        if (pushedBack != Integer.MIN_VALUE) {
            int c = pushedBack;
            pushedBack = Integer.MIN_VALUE;
            return c;
        }
        return readRaw();
    }

    private int readRaw() throws IOException {
        if (pos == len) {
            len = in.read(buf, 0, buf.length);
            pos = 0;
            if (len <= 0) {
                len = 0;
                return EOF;
            }
        }
        char c = buf[pos++];
        if (!started) {
            started = true;
            if (c == '\uFEFF') {
                return readRaw();
            }
        }
        return c;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
