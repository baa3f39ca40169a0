package io.m3spark.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Streams a local training-JSONL file line by line with 1-based line numbers. Blank lines are skipped but counted, so
 * the numbers match what an editor shows. Lines come from {@link TextLines}, so a line that is not valid UTF-8 is a
 * {@link ParsedLine.Bad} like any other bad record (quarantined in lenient mode). Used by the prepare commands (driver-only) and tests; Spark jobs read lines
 * themselves and call {@link TrainRecordReader#parse} directly.
 */
public final class TrainRecordFile implements Iterator<ParsedLine>, Closeable {
  private final String name;
  private final TextLines in;
  private final TrainRecordReader reader;
  private ParsedLine next;

  private TrainRecordFile(Path file, TrainRecordReader reader) throws IOException {
    this.name = file.toString();
    this.in = TextLines.open(file);
    this.reader = reader;
  }

  /** Opens {@code file}; close the result (try-with-resources). */
  public static TrainRecordFile open(Path file, TrainRecordReader reader) throws IOException {
    return new TrainRecordFile(file, reader);
  }

  /** Lines read so far, blank lines included. */
  public long linesRead() {
    return in.number();
  }

  @Override
  public boolean hasNext() {
    while (next == null) {
      byte[] bytes;
      try {
        bytes = in.nextBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(name + ":" + (in.number() + 1) + ": cannot read", e);
      }
      if (bytes == null) {
        return false;
      }
      ParsedLine parsed = reader.parse(name, in.number(), bytes);
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
