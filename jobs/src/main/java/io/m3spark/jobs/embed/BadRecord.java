package io.m3spark.jobs.embed;

import java.io.Serializable;

/** An input record that cannot be embedded, with where it is, which field is wrong and why. */
public record BadRecord(long order, SourcePosition position, String field, String reason, String raw)
    implements Serializable {

  /** Raw text kept in the quarantine, so that a huge bad line does not blow up the quarantine file. */
  public static final int MAX_RAW_CHARS = 4096;

  public static String clip(String raw) {
    return raw == null || raw.length() <= MAX_RAW_CHARS ? raw : raw.substring(0, MAX_RAW_CHARS) + "…";
  }

  /** {@code file:line: field: reason}, the form used in error messages. */
  public String describe() {
    return position + ": " + field + ": " + reason;
  }
}
