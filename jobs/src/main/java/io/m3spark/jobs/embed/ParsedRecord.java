package io.m3spark.jobs.embed;

import java.io.Serializable;

/** The outcome of validating one input record: exactly one of {@code good} and {@code bad} is set. */
public record ParsedRecord(TextRecord good, BadRecord bad) implements Serializable {

  public static ParsedRecord good(TextRecord record) {
    return new ParsedRecord(record, null);
  }

  public static ParsedRecord bad(BadRecord record) {
    return new ParsedRecord(null, record);
  }

  public boolean isGood() {
    return good != null;
  }

  public long order() {
    return good != null ? good.order() : bad.order();
  }
}
