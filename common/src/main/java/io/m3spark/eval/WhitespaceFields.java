package io.m3spark.eval;

/**
 * Splits TREC-format lines on runs of spaces and tabs without a regex: run files have millions of lines, and
 * {@code String.split("\\s+")} would dominate the reading time.
 */
final class WhitespaceFields {
  private WhitespaceFields() {}

  /**
   * Fills {@code out} with the first {@code out.length} fields of {@code line} and returns how many fields the line
   * has in all (which may be more than {@code out.length}; the extra fields are counted but not kept).
   */
  static int split(String line, String[] out) {
    int n = 0;
    int i = 0;
    int len = line.length();
    while (i < len) {
      while (i < len && isBlank(line.charAt(i))) {
        i++;
      }
      if (i == len) {
        break;
      }
      int start = i;
      while (i < len && !isBlank(line.charAt(i))) {
        i++;
      }
      if (n < out.length) {
        out[n] = line.substring(start, i);
      }
      n++;
    }
    return n;
  }

  static boolean isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0x0B;
  }

  static boolean isBlank(String line) {
    for (int i = 0; i < line.length(); i++) {
      if (!isBlank(line.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
