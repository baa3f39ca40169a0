package io.m3spark.jobs.prepare;

import io.m3spark.cli.Command;
import io.m3spark.io.AtomicTextFile;
import io.m3spark.io.OutputRule;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code m3spark prepare split}: a deterministic, leakage-reporting train/test split ({@link DataSplitter}).
 * Driver-only: two streaming passes, no Spark session.
 */
public final class SplitCommand implements Command<SplitArgs> {
  @Override
  public String name() {
    return "prepare split";
  }

  @Override
  public String summary() {
    return "Split training JSONL into train/test by positive passage or query, seeded, with a leakage report.";
  }

  @Override
  public Class<SplitArgs> argsType() {
    return SplitArgs.class;
  }

  @Override
  public SplitReport run(SplitArgs args) throws IOException {
    Path dir = Paths.get(args.outputDir);
    OutputRule.refuseLocalOverlap("--output_dir", Stream.of("train.jsonl", "test.jsonl", "split_report.json",
        "quarantine.jsonl").map(dir::resolve).toList(), Map.of("--input", Paths.get(args.input)));
    try (BadRecordSink bad = new BadRecordSink(args.skipBadRecords, dir.resolve("quarantine.jsonl"))) {
      SplitReport report = new DataSplitter(args.testRatio, args.seed, args.groupBy)
          .split(Paths.get(args.input), dir.resolve("train.jsonl"), dir.resolve("test.jsonl"), bad);
      AtomicTextFile.write(dir.resolve("split_report.json"), report.toJson());
      return report;
    }
  }
}
