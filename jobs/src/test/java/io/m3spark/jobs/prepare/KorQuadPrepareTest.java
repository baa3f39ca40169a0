package io.m3spark.jobs.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.m3spark.cli.ArgParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real data: KorQuAD v1 dev from the shared data folder (read in place, never copied; skipped when absent). Questions
 * share paragraphs, so a split by query leaks test positives into train, and a split by positive does not.
 */
class KorQuadPrepareTest {
  private static Path korquad() {
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared/data/korquad-v1/KorQuAD_v1.0_dev.json");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    assumeTrue(false, "shared/data/korquad-v1 not found above " + Paths.get("").toAbsolutePath());
    return null;
  }

  @Test
  void importAndSplitByPositiveWithoutLeakage(@TempDir Path dir) throws Exception {
    Path squad = korquad();
    Path records = dir.resolve("korquad.jsonl");
    ImportSquadCommand.Summary imported = new ImportSquadCommand().run(
        ArgParser.parse(ImportSquadArgs.class, "--input", squad.toString(), "--output", records.toString()));
    assertEquals(5774, imported.records());
    // 961 distinct paragraphs, but a paragraph without questions yields no record
    assertTrue(imported.passages() > 900 && imported.passages() <= 961, imported.toString());
    assertEquals(5774, Files.readAllLines(records).size());

    SplitReport byPositive = new SplitCommand().run(ArgParser.parse(SplitArgs.class, "--input", records.toString(),
        "--output_dir", dir.resolve("by-positive").toString(), "--group_by", "positive"));
    assertEquals(5774, byPositive.records());
    assertEquals(imported.passages(), byPositive.groups());
    assertEquals(0, byPositive.leakedTestRecords());
    assertEquals(Math.round(0.2 * byPositive.groups()), byPositive.testGroups());

    SplitReport byQuery = new SplitCommand().run(ArgParser.parse(SplitArgs.class, "--input", records.toString(),
        "--output_dir", dir.resolve("by-query").toString(), "--group_by", "query"));
    assertTrue(byQuery.leakagePercent() > 50, byQuery.toString());
  }
}
