package io.m3spark.jobs.prepare;

import io.m3spark.cli.CommandArgs;
import io.m3spark.cli.Flag;
import io.m3spark.cli.UsageException;

/** Flags of {@code m3spark prepare make-eval-set}. */
public final class MakeEvalSetArgs extends CommandArgs {
  private static final long serialVersionUID = 1L;

  @Flag(name = "input", help = "QA training JSONL (query, pos, optional neg and title)", required = true)
  String input;

  @Flag(name = "output_dir", help = "folder for corpus.jsonl, {split}_queries.jsonl and {split}_qrels.jsonl",
      required = true)
  String outputDir;

  @Flag(name = "split", help = "split name in the file names; FlagEmbedding's custom loader only reads 'test'")
  String split = "test";

  @Flag(name = "skip_bad_records", help = "write bad records to <output_dir>/quarantine.jsonl instead of failing")
  boolean skipBadRecords;

  @Override
  public void validate() throws UsageException {
    if (split.isBlank() || split.contains("/")) {
      throw new UsageException("--split must be a plain name such as test, got '" + split + "'");
    }
  }
}
