package io.m3spark.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Peeks at the start of a file for format detection without reading the whole of it. */
final class FirstChar {
  private FirstChar() {}

  /** The first non-blank line, or {@code null} for an empty or all-blank file. */
  static String firstNonBlankLine(Path file) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
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
