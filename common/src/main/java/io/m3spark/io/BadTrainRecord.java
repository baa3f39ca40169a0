package io.m3spark.io;

import java.io.Serializable;

/**
 * A training-JSONL line that cannot be used: where it is (file, 1-based line), which field is wrong, why, and the raw
 * line (clipped, so that a huge bad line does not blow up a quarantine file).
 */
public record BadTrainRecord(String file, long line, String field, String reason, String raw) implements Serializable {
  /** Raw characters kept for the quarantine. */
  public static final int MAX_RAW_CHARS = 4096;

  public BadTrainRecord {
    if (raw != null && raw.length() > MAX_RAW_CHARS) {
      raw = raw.substring(0, MAX_RAW_CHARS) + "…";
    }
  }

  /** {@code file:line: field: reason}, the form used in error messages. */
  public String describe() {
    return file + ":" + line + ": " + field + ": " + reason;
  }
}
