package io.m3spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Compares every per-query and averaged ndcg_cut, map_cut, recall, P and recip_rank value of trec_eval's test outputs
 * with ours, to trec_eval's 4 printed decimals. The option sets are those of trec_eval's Makefile.
 */
class TrecEvalConformanceTest {
  private static final Pattern CUT = Pattern.compile("(ndcg_cut|map_cut|recall|P)_(\\d+)");
  private static final Map<String, String> FAMILY =
      Map.of("ndcg_cut", "ndcg", "map_cut", "map", "recall", "recall", "P", "precision");
  /** Deeper than any run in the data, so mrr_at_k is trec_eval's uncut recip_rank. */
  private static final int DEEP = 5000;

  @Test
  void allTrecPerQuery() throws IOException {
    int compared = check("qrels.test", "results.test", "out.test.aq", EvaluationOptions.defaults());
    // (9 cut-offs x 4 families + recip_rank) x (3 queries + all)
    assertEquals(148, compared);
  }

  @Test
  void completeQueriesOnAnUngroupedTruncatedRun() throws IOException {
    // results.trunc interleaves qids 301 and 303 and lacks 302: partitioned reading, and -c scores 302 as 0.
    check("qrels.test", "results.trunc", "out.test.aqc", EvaluationOptions.defaults().withCompleteQueries(true));
  }

  @Test
  void gradedQrelsAtRelevanceLevel2() throws IOException {
    // qrels.rel_level has grades -1..4; nDCG uses the grades as gains, the binary metrics count grade >= 2.
    check("qrels.rel_level", "results.test", "out.test.aql", EvaluationOptions.defaults().withRelevanceLevel(2));
  }

  @Test
  void customCutoffs() throws IOException {
    // -m P.5,7,3 -m recall.20,2000 -mndcg_cut.10,20,23.4
    check("qrels.test", "results.test", "out.test.meas_params", EvaluationOptions.defaults());
  }

  @Test
  void summaryOnlyOutput() throws IOException {
    check("qrels.test", "results.test", "out.test.a", EvaluationOptions.defaults());
  }

  /** Evaluates with the cut-offs found in {@code out} and compares; returns the number of values compared. */
  private static int check(String qrelsName, String runName, String outName, EvaluationOptions base)
      throws IOException {
    Path dir = TrecEvalData.dir();
    Map<String, Map<String, Double>> expected = TrecEvalData.expected(dir.resolve(outName));
    Map<String, String> ourKey = new HashMap<>();
    TreeSet<Integer> ks = new TreeSet<>(List.of(DEEP));
    for (String measure : expected.keySet()) {
      Matcher m = CUT.matcher(measure);
      if (m.matches()) {
        int k = Integer.parseInt(m.group(2));
        ks.add(k);
        ourKey.put(measure, FAMILY.get(m.group(1)) + "_at_" + k);
      } else if (measure.equals("recip_rank")) {
        ourKey.put(measure, "mrr_at_" + DEEP);
      }
    }
    Qrels qrels = QrelsReader.read(dir.resolve(qrelsName), QrelsFormat.AUTO);
    Map<String, QueryMetrics> perQuery = new HashMap<>();
    EvaluationResult result = new Evaluator(base.withKValues(new ArrayList<>(ks)))
        .evaluate(qrels, dir.resolve(runName), RunFormat.AUTO, q -> perQuery.put(q.qid(), q));
    int compared = 0;
    for (Map.Entry<String, String> e : ourKey.entrySet()) {
      for (Map.Entry<String, Double> v : expected.get(e.getKey()).entrySet()) {
        double ours = v.getKey().equals("all")
            ? result.metrics().get(e.getValue())
            : perQuery.get(v.getKey()).get(e.getValue());
        assertEquals(v.getValue(), ours, 0.5e-4 + 1e-9,
            outName + ": " + e.getKey() + " for " + v.getKey() + " (ours " + e.getValue() + ")");
        compared++;
      }
    }
    if (expected.containsKey("num_q")) {
      assertEquals(expected.get("num_q").get("all").intValue(), result.counts().averagedOver(), "num_q");
    }
    assertTrue(compared > 0);
    return compared;
  }
}
