package io.m3spark.io;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Streams a local training-JSONL file line by line with 1-based line numbers. Blank lines are skipped but counted, so
 * the numbers match what an editor shows. Used by the prepare commands (driver-only) and tests; Spark jobs read lines
 * themselves and call {@link TrainRecordReader#parse} directly.
 */
public final class TrainRecordFile implements Iterator<ParsedLine>, Closeable {
  private final String name;
  private final BufferedReader in;
  private final TrainRecordReader reader;
  private long lineNumber;
  private ParsedLine next;

  private TrainRecordFile(Path file, TrainRecordReader reader) throws IOException {
    this.name = file.toString();
    this.in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    this.reader = reader;
  }

  /** Opens {@code file}; close the result (try-with-resources). */
  public static TrainRecordFile open(Path file, TrainRecordReader reader) throws IOException {
    return new TrainRecordFile(file, reader);
  }

  /** Lines read so far, blank lines included. */
  public long linesRead() {
    return lineNumber;
  }

  @Override
  public boolean hasNext() {
    while (next == null) {
      String text;
      try {
        text = in.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(name + ":" + (lineNumber + 1) + ": cannot read", e);
      }
      if (text == null) {
        return false;
      }
      lineNumber++;
      if (lineNumber == 1 && text.startsWith("\uFEFF")) {
        text = text.substring(1); // a UTF-8 byte-order mark written by some Windows editors
      }
      ParsedLine parsed = reader.parse(name, lineNumber, text);
      if (!(parsed instanceof ParsedLine.Blank)) {
        next = parsed;
      }
    }
    return true;
  }

  /** The next non-blank line: a {@link ParsedLine.Good} or a {@link ParsedLine.Bad}. */
  @Override
  public ParsedLine next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    ParsedLine out = next;
    next = null;
    return out;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
