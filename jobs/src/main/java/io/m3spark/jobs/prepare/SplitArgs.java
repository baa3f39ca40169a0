package io.m3spark.jobs.prepare;

import io.m3spark.cli.CommandArgs;
import io.m3spark.cli.Flag;
import io.m3spark.cli.UsageException;

/** Flags of {@code m3spark prepare split}. */
public final class SplitArgs extends CommandArgs {
  private static final long serialVersionUID = 1L;

  @Flag(name = "input", help = "training JSONL to split", required = true)
  String input;

  @Flag(name = "output_dir", help = "folder for train.jsonl, test.jsonl and split_report.json", required = true)
  String outputDir;

  @Flag(name = "test_ratio", help = "share of groups that go to test")
  double testRatio = 0.2;

  @Flag(name = "seed", help = "seed of the group shuffle; same seed and input, same files")
  long seed = 42;

  @Flag(name = "group_by",
      help = "what stays on one side: records sharing a positive passage (no leakage) or the same query text")
  GroupBy groupBy = GroupBy.POSITIVE;

  @Flag(name = "skip_bad_records", help = "write bad records to <output_dir>/quarantine.jsonl instead of failing")
  boolean skipBadRecords;

  @Override
  public void validate() throws UsageException {
    if (!(testRatio > 0 && testRatio < 1)) {
      throw new UsageException("--test_ratio must be between 0 and 1 (exclusive), got " + testRatio);
    }
  }
}
