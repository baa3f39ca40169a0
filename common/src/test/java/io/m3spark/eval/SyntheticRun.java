package io.m3spark.eval;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Benchmark data, not a test: writes {@code qrels.trec} and {@code run.trec} with Q queries × D documents each (grouped
 * by qid, ranked by score) into a folder, seeded, for timing {@code eval-run} against trec_eval.
 *
 * <p>Usage: {@code java -cp common/target/test-classes io.m3spark.eval.SyntheticRun DIR [Q=10000] [D=1000]}
 */
public final class SyntheticRun {
  private SyntheticRun() {}

  public static void main(String[] args) throws IOException {
    Path dir = Paths.get(args[0]);
    int queries = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int depth = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int corpus = 1_000_000;
    Files.createDirectories(dir);
    SplittableRandom rnd = new SplittableRandom(42);
    try (BufferedWriter qrels = Files.newBufferedWriter(dir.resolve("qrels.trec"), StandardCharsets.UTF_8);
        BufferedWriter run = Files.newBufferedWriter(dir.resolve("run.trec"), StandardCharsets.UTF_8)) {
      for (int q = 0; q < queries; q++) {
        String qid = "q" + q;
        // judged: 1-10 relevant docs with grades 1-3 and 20 non-relevant ones, some of them retrieved
        int relevant = 1 + rnd.nextInt(10);
        Set<Integer> judged = new HashSet<>();
        for (int j = 0; j < relevant + 20; j++) {
          int grade = j < relevant ? 1 + rnd.nextInt(3) : 0;
          int doc;
          do {
            // ranks 0..depth-1 are the run's documents; larger numbers are documents it missed
            doc = j < relevant / 2 + 10 ? rnd.nextInt(depth) : depth + rnd.nextInt(corpus);
          } while (!judged.add(doc));
          qrels.write(qid + " 0 " + docid(q, doc, corpus) + " " + grade + "\n");
        }
        double score = 100;
        for (int r = 0; r < depth; r++) {
          score -= rnd.nextInt(4) == 0 ? 0 : rnd.nextDouble() * 0.1; // a quarter of the steps are ties
          run.write(String.format(Locale.ROOT, "%s Q0 %s %d %.6f bench%n", qid, docid(q, r, corpus), r + 1, score));
        }
      }
    }
  }

  /** Document r of query q (r < depth: its run's r-th hit); ids are shared across queries, distinct within one. */
  private static String docid(int q, int r, int corpus) {
    return "doc" + ((q * 7919L + r * 104729L) % (2L * corpus + 1));
  }
}
