package io.m3spark.jobs.prepare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * What a split did, written to {@code split_report.json}. Leakage counts the test records with a positive text that is
 * also a positive of some train record: with it, a test score measures memorised passages, not retrieval.
 */
public record SplitReport(GroupBy groupBy, double testRatio, long seed, long records, long groups, long trainRecords,
    long testRecords, long trainGroups, long testGroups, long leakedTestRecords, long badRecords) {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Leaked test records as a percentage of the test records. */
  public double leakagePercent() {
    return testRecords == 0 ? 0 : 100.0 * leakedTestRecords / testRecords;
  }

  String toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("group_by", groupBy.name().toLowerCase(Locale.ROOT));
    n.put("test_ratio", testRatio);
    n.put("seed", seed);
    n.put("records", records);
    n.put("groups", groups);
    n.put("train_records", trainRecords);
    n.put("test_records", testRecords);
    n.put("train_groups", trainGroups);
    n.put("test_groups", testGroups);
    n.put("test_records_with_positive_in_train", leakedTestRecords);
    n.put("leakage_percent", Math.round(leakagePercent() * 100) / 100.0);
    n.put("bad_records", badRecords);
    try {
      return JSON.writeValueAsString(n) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "split %d records by %s into %d train / %d test (%d / %d groups); leakage: %d test records (%.1f%%) have a"
            + " positive that is also a train positive%s",
        records, groupBy.name().toLowerCase(Locale.ROOT), trainRecords, testRecords, trainGroups, testGroups,
        leakedTestRecords, leakagePercent(), badRecords == 0 ? "" : "; " + badRecords + " bad records quarantined");
  }
}
