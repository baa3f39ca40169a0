package io.m3spark.jobs.prepare;

import io.m3spark.cli.CommandArgs;
import io.m3spark.cli.Flag;

/** Flags of {@code m3spark prepare import-squad}. */
public final class ImportSquadArgs extends CommandArgs {
  private static final long serialVersionUID = 1L;

  @Flag(name = "input", help = "SQuAD-format JSON file (e.g. KorQuAD_v1.0_dev.json)", required = true)
  String input;

  @Flag(name = "output", help = "training JSONL to write, one record per question", required = true)
  String output;

  @Flag(name = "skip_bad_records", help = "write bad questions to <output>.quarantine.jsonl instead of failing")
  boolean skipBadRecords;
}
