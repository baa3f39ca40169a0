package io.m3spark.io;

/** What one input line turned out to be: a usable record, a bad record, or a blank line (skipped, still counted). */
public sealed interface ParsedLine permits ParsedLine.Good, ParsedLine.Bad, ParsedLine.Blank {
  /** The 1-based line number in its file. */
  long line();

  /** A valid record. */
  record Good(String file, long line, TrainRecord record) implements ParsedLine {}

  /** A line that failed validation. */
  record Bad(BadTrainRecord bad) implements ParsedLine {
    @Override
    public long line() {
      return bad.line();
    }
  }

  /** An empty or whitespace-only line. */
  record Blank(String file, long line) implements ParsedLine {}
}
