package io.m3spark.jobs.prepare;

import io.m3spark.cli.Command;
import io.m3spark.io.AtomicTextFile;
import io.m3spark.io.BadTrainRecord;
import io.m3spark.io.OutputRule;
import io.m3spark.io.TrainRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code m3spark prepare import-squad}: SQuAD/KorQuAD JSON → training JSONL (see {@link SquadImporter}). Driver-only,
 * streaming: no Spark session, the output is written atomically.
 */
public final class ImportSquadCommand implements Command<ImportSquadArgs> {
  /** What the import did, printed by the CLI. */
  public record Summary(long records, long passages, long badRecords, Path output, Path quarantine) {
    @Override
    public String toString() {
      return "wrote " + records + " records (" + passages + " distinct positive passages) to " + output
          + (badRecords == 0 ? "" : "; " + badRecords + " bad records quarantined in " + quarantine);
    }
  }

  @Override
  public String name() {
    return "prepare import-squad";
  }

  @Override
  public String summary() {
    return "SQuAD-format QA JSON (KorQuAD) → training JSONL, one record per question; no Spark needed.";
  }

  @Override
  public Class<ImportSquadArgs> argsType() {
    return ImportSquadArgs.class;
  }

  @Override
  public Summary run(ImportSquadArgs args) throws IOException {
    Path output = Paths.get(args.output);
    Path quarantine = output.resolveSibling(output.getFileName() + ".quarantine.jsonl");
    OutputRule.refuseLocalOverlap("--output", List.of(output, quarantine), Map.of("--input", Paths.get(args.input)));
    Set<String> passages = new HashSet<>();
    long[] records = {0};
    try (AtomicTextFile out = AtomicTextFile.create(output);
        BadRecordSink bad = new BadRecordSink(args.skipBadRecords, quarantine)) {
      SquadImporter.read(Paths.get(args.input), new SquadImporter.Sink() {
        @Override
        public void record(TrainRecord record) throws IOException {
          out.writeLine(record.toJsonLine());
          passages.add(record.pos().get(0));
          records[0]++;
        }

        @Override
        public void bad(BadTrainRecord record) throws IOException {
          bad.accept(record);
        }
      });
      bad.finish();
      out.commit();
      return new Summary(records[0], passages.size(), bad.count(), output, bad.quarantine());
    }
  }
}
