package io.m3spark.train.data;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Bad records skipped by a lenient load: the total, and counts by reason (field plus the reason without its details
 * and with its numbers replaced by {@code N}, so "item 3" and "item 7" count together) and by file, each sorted by key.
 */
public record BadRecordSummary(long total, SortedMap<String, Long> byReason, SortedMap<String, Long> byFile) {
  public static final BadRecordSummary NONE = new BadRecordSummary(0, new TreeMap<>(), new TreeMap<>());

  public BadRecordSummary {
    byReason = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(byReason));
    byFile = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(byFile));
  }

  /** One line for the log. */
  public String describe() {
    return "skipped " + total + " bad training record(s); by reason " + format(byReason) + "; by file "
        + format(byFile);
  }

  private static String format(Map<String, Long> counts) {
    StringBuilder out = new StringBuilder("{");
    counts.forEach((k, v) -> out.append(out.length() > 1 ? ", " : "").append(k).append(" = ").append(v));
    return out.append('}').toString();
  }
}
