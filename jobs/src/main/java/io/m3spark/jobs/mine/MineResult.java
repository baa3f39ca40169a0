package io.m3spark.jobs.mine;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code m3spark mine} reports when done.
 *
 * @param records records mined and written
 * @param badRecords records quarantined
 * @param corpusSize distinct texts searched
 * @param output the mined JSONL
 * @param warnings the mining report's warnings
 * @param stageSeconds wall time per stage (read, embed corpus, embed queries, search, sample, write)
 */
public record MineResult(long records, long badRecords, long corpusSize, String output, List<String> warnings,
    Map<String, Double> stageSeconds) {

  /** The summary the command line prints: counts, where the output went, time per stage, warnings. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "mined %d records (%d quarantined) against %d corpus texts into %s (report: %s.report.md)%n", records,
        badRecords, corpusSize, output, output));
    stageSeconds.forEach((stage, s) -> sb.append(String.format(Locale.ROOT, "  %-15s %8.1f s%n", stage, s)));
    warnings.forEach(w -> sb.append("warning: ").append(w).append('\n'));
    return sb.toString().stripTrailing();
  }
}
