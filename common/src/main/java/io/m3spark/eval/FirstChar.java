package io.m3spark.eval;

import java.io.IOException;
import io.m3spark.io.TextLines;
import java.nio.file.Path;

/** Peeks at the start of a file for format detection without reading the whole of it. */
final class FirstChar {
  private FirstChar() {}

  /** The first non-blank line, or {@code null} for an empty or all-blank file. */
  static String firstNonBlankLine(Path file) throws IOException {
    try (TextLines r = TextLines.open(file)) {
      for (String line = r.next(); line != null; line = r.next()) {
        if (!line.isBlank()) {
          return line.strip();
        }
      }
      return null;
    }
  }

  static boolean startsJson(String firstLine) {
    return firstLine != null && firstLine.charAt(0) == '{';
  }
}
