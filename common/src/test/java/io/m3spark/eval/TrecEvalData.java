package io.m3spark.eval;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * trec_eval's own test data in the shared data folder (never copied into the project), and a parser for its
 * {@code measure qid|all value} output. Tests using it are skipped when the folder is absent.
 */
final class TrecEvalData {
  private TrecEvalData() {}

  /** {@code shared/data/trec_eval}, searched upwards from the working directory; skips the test if absent. */
  static Path dir() {
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared/data/trec_eval");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    assumeTrue(false, "shared/data/trec_eval not found above " + Paths.get("").toAbsolutePath());
    return null;
  }

  /** measure → qid (or {@code all}) → value. */
  static Map<String, Map<String, Double>> expected(Path outFile) throws IOException {
    Map<String, Map<String, Double>> m = new HashMap<>();
    List<String> lines = Files.readAllLines(outFile);
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length != 3) {
        continue;
      }
      try {
        m.computeIfAbsent(f[0], x -> new HashMap<>()).put(f[1], Double.parseDouble(f[2]));
      } catch (NumberFormatException e) {
        // runid and relstring are not numbers
      }
    }
    return m;
  }
}
