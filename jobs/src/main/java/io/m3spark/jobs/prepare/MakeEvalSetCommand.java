package io.m3spark.jobs.prepare;

import io.m3spark.cli.Command;
import io.m3spark.io.OutputRule;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.stream.Stream;

/** {@code m3spark prepare make-eval-set}: QA JSONL → evaluation files ({@link EvalSetBuilder}). */
public final class MakeEvalSetCommand implements Command<MakeEvalSetArgs> {
  /** What was written, printed by the CLI. */
  public record Summary(long queries, long passages, long qrels, long badRecords, Path dir, String split) {
    @Override
    public String toString() {
      String note = split.equals("test") ? ""
          : "\nnote: FlagEmbedding's custom evaluation only reads split 'test' (spec §5.1)";
      return "wrote " + queries + " queries, " + passages + " passages and " + qrels + " qrels to " + dir
          + (badRecords == 0 ? "" : "; " + badRecords + " bad records quarantined") + note;
    }
  }

  @Override
  public String name() {
    return "prepare make-eval-set";
  }

  @Override
  public String summary() {
    return "QA JSONL → corpus.jsonl, {split}_queries.jsonl, {split}_qrels.jsonl for evaluation; no Spark needed.";
  }

  @Override
  public Class<MakeEvalSetArgs> argsType() {
    return MakeEvalSetArgs.class;
  }

  @Override
  public Summary run(MakeEvalSetArgs args) throws IOException {
    Path dir = Paths.get(args.outputDir);
    OutputRule.refuseLocalOverlap("--output_dir", Stream.of("corpus.jsonl", args.split + "_queries.jsonl",
        args.split + "_qrels.jsonl", "quarantine.jsonl").map(dir::resolve).toList(),
        Map.of("--input", Paths.get(args.input)));
    try (BadRecordSink bad = new BadRecordSink(args.skipBadRecords, dir.resolve("quarantine.jsonl"))) {
      EvalSetBuilder.Counts c = EvalSetBuilder.build(Paths.get(args.input), dir, args.split, bad);
      return new Summary(c.queries(), c.passages(), c.qrels(), bad.count(), dir, args.split);
    }
  }
}
